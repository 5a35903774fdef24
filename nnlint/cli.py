"""Command line: ``nnlint [OPTIONS] PATH...`` plus ``nnlint rules``, ``nnlint explain CODE``."""
from __future__ import annotations

import collections
import os
import sys
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

import click

from nnlint import __version__
from nnlint.analysis.source import SourceError, decode_source
from nnlint.config import Config, ConfigError, find_pyproject, load_config
from nnlint.diagnostics import DIAGNOSTICS
from nnlint.discovery import missing_paths
from nnlint.dynamic.cli_support import dynamic_options, run_from_cli, split_script_args
from nnlint.terminal import Progress, use_color
from nnlint.autofix import fix_paths
from nnlint.finding import Finding
from nnlint.formatters import FORMATTERS, FormatOptions, format_findings
from nnlint.interrupts import Terminated, exit_code, signal_name, signals_raise
from nnlint.registry import BUILTIN_NAME, Registry, load_registry

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _DefaultCheckGroup(click.Group):
    """``nnlint PATH...`` means ``nnlint check PATH...``; ``nnlint rules`` etc. stay subcommands."""

    def parse_args(self, ctx: click.Context, args: List[str]) -> List[str]:
        args = split_script_args(ctx, args)  # after `--`: the --dynamic script's own arguments
        if args and args[0] in ("--version",):
            return super().parse_args(ctx, args)
        # a lone command word is the command even where a folder has its name (`nnlint plugins` in a
        # project with a plugins/ folder); `nnlint check plugins` or `nnlint plugins/` lints the folder
        lone_command = len(args) == 1 and args[0] in self.commands
        if not args or args[0] not in self.commands or (os.path.exists(args[0]) and not lone_command):
            if args[:1] in (["--help"], ["-h"]):
                return super().parse_args(ctx, args)
            args = ["check", *args]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> object:
        # Ctrl-C and terminating signals: clean up on the way out (finally blocks), then one line and 128 + N
        with signals_raise():
            try:
                return super().invoke(ctx)
            except (KeyboardInterrupt, Terminated) as error:
                what = "interrupted" if isinstance(error, KeyboardInterrupt) else f"terminated by {signal_name(error.signum)}"
                click.echo(f"nnlint: {what}", err=True)
                raise click.exceptions.Exit(exit_code(error))


def _split_codes(values: Sequence[str]) -> List[str]:
    return [code.strip() for value in values for code in value.split(",") if code.strip()]


def fail(message: str) -> "click.exceptions.Exit":
    click.echo(f"nnlint: error: {message}", err=True)
    return click.exceptions.Exit(EXIT_ERROR)


def _load_config(config_path: Optional[str], paths: Sequence[str]) -> Config:
    if config_path is not None:
        return load_config(Path(config_path))
    start = Path(paths[0]) if paths and paths[0] != "-" else Path.cwd()
    return load_config(find_pyproject(start if start.exists() else Path.cwd()))


def _check_codes(registry: Registry, option: str, codes: Sequence[str]) -> None:
    known = registry.all_codes() + list(DIAGNOSTICS)
    for code in codes:
        if code != "ALL" and not any(k.startswith(code) for k in known):
            raise fail(f"{option}: unknown rule code or prefix {code!r} (see `nnlint rules`)")


@click.group(cls=_DefaultCheckGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="nnlint")
def main() -> None:
    """Find why a PyTorch network will not train.

    Run `nnlint PATH...` (same as `nnlint check PATH...`; `nnlint check --help` lists its options),
    `nnlint rules` for the catalogue, `nnlint explain CODE` for one rule's documentation,
    `nnlint plugins` for the installed plugins and their codes.
    """


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--select", multiple=True, help="Codes or prefixes to enable (replaces the configured selection).")
@click.option("--ignore", multiple=True, help="Codes or prefixes to disable.")
@click.option("--extend-select", multiple=True, help="Codes or prefixes to enable on top of the selection.")
@click.option("--format", "output_format", type=click.Choice(sorted(FORMATTERS)), default="text", show_default=True)
@click.option("--output-file", type=click.Path(dir_okay=False, writable=True), help="Write the report here instead of stdout.")
@click.option("--statistics", is_flag=True, help="Print the number of findings per code.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="pyproject.toml to read instead of the nearest one.")
@click.option("--stdin-filename", help="Path to report for source read from stdin (PATH '-').")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--fix", is_flag=True, help="Apply safe fixes in place (re-parsed before writing); report what is left.")
@click.option("--diff", is_flag=True, help="Print the fixes --fix would make as a unified diff; change nothing.")
@click.option("--show-source", is_flag=True, help="Show the source line of each finding with a caret line under it.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True, help="Colour the report (auto: only on a terminal).")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, help="Worker processes (default 0: one per CPU core; 1: no workers).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the findings cache (.nnlint_cache, or $NNLINT_CACHE_DIR).")
@dynamic_options
def check(
    paths: Tuple[str, ...],
    select: Tuple[str, ...],
    ignore: Tuple[str, ...],
    extend_select: Tuple[str, ...],
    output_format: str,
    output_file: Optional[str],
    statistics: bool,
    config_path: Optional[str],
    stdin_filename: Optional[str],
    exit_zero: bool,
    fix: bool = False,
    diff: bool = False,
    show_source: bool = False,
    color: str = "auto",
    jobs: int = 0,
    no_cache: bool = False,
    dynamic: bool = False,
    device: Optional[str] = None,
    timeout: Optional[float] = None,
    launcher: Optional[str] = None,
    nproc_per_node: Optional[int] = None,
    python_path: Optional[str] = None,
    experiments: Optional[bool] = None,
    experiment_steps: Optional[int] = None,
) -> None:
    """Lint PATHS (files or folders) for training bugs."""
    from nnlint.engine import Linter

    if not paths:
        raise fail("no path given (try `nnlint .`)")
    missing = missing_paths(paths)
    if missing:
        raise fail(f"no such file or directory: {missing[0]}")
    try:
        config = _load_config(config_path, paths)
    except ConfigError as error:
        raise fail(str(error))
    registry = load_registry()
    for message in registry.errors:
        click.echo(f"nnlint: warning: {message}", err=True)
    for option, values in (("--select", select), ("--ignore", ignore), ("--extend-select", extend_select)):
        _check_codes(registry, option, _split_codes(values))
    _check_codes(registry, "tool.nnlint.select", config.select)
    _check_codes(registry, "tool.nnlint.ignore", config.ignore)  # with extend-ignore
    _check_codes(registry, "tool.nnlint.extend-select", config.extend_select)
    for pattern, codes in config.per_file_ignores.items():
        _check_codes(registry, f"tool.nnlint.per-file-ignores[{pattern!r}]", codes)
    if select:
        config.select = _split_codes(select)
    config.ignore.extend(_split_codes(ignore))
    config.extend_select.extend(_split_codes(extend_select))

    linter = Linter(config, registry)
    for message in linter.problems:
        click.echo(f"nnlint: warning: {message}", err=True)
    _configure_speed(linter, jobs, no_cache)
    findings: List[Finding] = []
    file_paths = [p for p in paths if p != "-"]
    stdin_name = stdin_filename or "<stdin>"
    stdin_bytes, stdin_source = _read_stdin() if "-" in paths else (None, None)
    report_to_stderr = False
    progress = Progress(sys.stderr)
    if fix or diff:
        fixed = fix_paths(linter, file_paths, stdin_source, stdin_name, write=not diff, progress=progress)
        if stdin_bytes is not None and stdin_source is None:  # undecodable: its NN000, and the bytes pass through
            fixed.findings.extend(linter.lint_bytes(stdin_bytes, stdin_name))
            if not diff:
                sys.stdout.buffer.write(stdin_bytes)
                sys.stdout.flush()
                report_to_stderr = True
        progress.close()
        _print_notes(linter)
        for problem in fixed.problems:
            click.echo(f"nnlint: error: {problem}", err=True)
        if diff:
            _write(fixed.diff, output_file)
            raise click.exceptions.Exit(EXIT_FINDINGS if fixed.diff or fixed.problems else EXIT_CLEAN)
        if fixed.fixed:
            click.echo(f"nnlint: fixed {fixed.fixed} finding(s) in {fixed.changed_files} file(s)", err=True)
        if fixed.stdin_fixed is not None:
            _write(fixed.stdin_fixed, None)  # the fixed source goes to stdout; the report to stderr
            stdin_source, report_to_stderr = fixed.stdin_fixed, True
        findings = fixed.findings
    else:
        if stdin_bytes is not None:
            findings.extend(linter.lint_bytes(stdin_bytes, stdin_name))
        findings.extend(linter.lint_paths(file_paths, progress=progress))
        progress.close()
    findings.sort(key=Finding.sort_key)
    _print_notes(linter)
    if linter.cache is not None and linter.cache.error:
        click.echo(f"nnlint: warning: {linter.cache.error}", err=True)
    dynamic_error = None
    if (experiments or experiment_steps) and not dynamic:
        raise fail("--experiments and --experiment-steps need --dynamic")
    if dynamic:
        findings, dynamic_error = run_from_cli(
            paths=paths, findings=findings, config=config, registry=registry, device=device, timeout=timeout,
            launcher=launcher, nproc_per_node=nproc_per_node, python_path=python_path,
            experiments=experiments, experiment_steps=experiment_steps,
        )

    report_stream = None if output_file else (sys.stderr if report_to_stderr else sys.stdout)
    options = FormatOptions(show_source=show_source, color=use_color(color, report_stream), sources={stdin_name: stdin_source or ""})
    report = format_findings(output_format, findings, options)
    if statistics:
        report += _statistics(findings)
    if report_to_stderr and not output_file:
        click.echo(report, err=True, nl=False)
    else:
        _write(report, output_file)
    if dynamic_error:
        raise fail(dynamic_error)
    failing = [f for f in findings if f.code != "NN003"]  # the dynamic run's record is information, not a finding
    raise click.exceptions.Exit(EXIT_FINDINGS if failing and not exit_zero else EXIT_CLEAN)


def _read_stdin() -> Tuple[bytes, Optional[str]]:
    """Standard input's bytes, and its text decoded as a file's would be (None when it cannot be)."""
    stream = sys.stdin
    data = stream.buffer.read() if hasattr(stream, "buffer") else stream.read().encode("utf-8", "surrogateescape")
    try:
        return data, decode_source(data)
    except SourceError:
        return data, None


def _print_notes(linter: "Linter") -> None:
    for note in sorted(linter.notes):
        click.echo(f"nnlint: note: {note}", err=True)
    linter.notes.clear()


def _configure_speed(linter: "Linter", jobs: int, no_cache: bool) -> None:
    from nnlint.parallel import default_jobs

    linter.jobs = jobs or default_jobs()
    if not no_cache:
        from nnlint.cache import Cache, default_cache_dir, run_fingerprint

        linter.cache = Cache(default_cache_dir(linter.config.root), run_fingerprint(linter.config, linter.registry, linter.rules))


def _statistics(findings: Sequence[Finding]) -> str:
    counts = collections.Counter((f.code, f.name) for f in findings)
    return "".join(f"{count:<5} {code} {name}\n" for (code, name), count in sorted(counts.items()))


def _write(report: str, output_file: Optional[str]) -> None:
    if output_file:
        try:
            Path(output_file).write_text(report, encoding="utf-8")
        except OSError as error:
            raise fail(f"cannot write {output_file}: {error.strerror or error}")
        return
    stream = sys.stdout
    try:
        stream.write(report)
    except UnicodeEncodeError:
        stream.buffer.write(report.encode(stream.encoding or "utf-8", errors="backslashreplace"))
    stream.flush()


@main.command()
def rules() -> None:
    """List every rule and runtime probe: code, name, one-line summary."""
    registry = load_registry()
    entries = {**DIAGNOSTICS, **registry.probes, **registry.rules}
    for code in sorted(entries):
        cls = entries[code]
        kind = "static" if code in registry.rules else ("dynamic" if code in registry.probes else "core")
        if kind == "dynamic" and code.startswith("NN9"):
            kind = "experiment"  # --experiments
        if code in registry.rules and code in registry.probes:
            kind = "static+dynamic"
        click.echo(f"{code}  {cls.name:<36} {kind:<15} {cls.summary}")


@main.command()
def plugins() -> None:
    """List the loaded plugins: name, distribution, version, and the codes each provides."""
    registry = load_registry()
    for info in registry.plugins:
        source = "built-in" if info.name == BUILTIN_NAME else info.distribution
        codes = ", ".join(info.codes) if info.codes else "(no rules or probes)"
        click.echo(f"{info.name:<16} {source} {info.version}: {codes}")
    for message in registry.errors:
        click.echo(f"nnlint: warning: {message}", err=True)


@main.command()
def lsp() -> None:
    """Run the language server on stdin/stdout, for editors (needs `pip install 'nnlint[lsp]'`)."""
    try:
        from nnlint.lsp import serve
    except ImportError as error:
        raise fail(f"the language server needs pygls and lsprotocol: pip install 'nnlint[lsp]' ({error})")
    serve()


@main.command()
@click.argument("code")
def explain(code: str) -> None:
    """Print the documentation of one rule (by code or name)."""
    registry = load_registry()
    entries = {**DIAGNOSTICS, **registry.probes, **registry.rules}
    wanted = code.strip().upper()
    cls = entries.get(wanted) or next((c for c in entries.values() if c.name == code.strip().lower()), None)
    if cls is None:
        raise fail(f"unknown rule {code!r} (see `nnlint rules`)")
    click.echo(f"{cls.code} {cls.name}\n\n{cls.summary}\n\n{cls.documentation()}")
    probe = registry.probes.get(cls.code)
    if probe is not None and probe is not cls:
        click.echo(f"\n## At run time (`--dynamic`)\n\n{probe.documentation()}")
