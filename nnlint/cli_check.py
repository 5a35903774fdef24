"""``nnlint check [OPTIONS] PATH...`` (``nnlint PATH...``): lint a tree, or fix it, or mark its findings with
noqa comments, and report its findings."""

from __future__ import annotations

import functools
import sys
from typing import TYPE_CHECKING, List, Optional, Sequence, Tuple

import click

from nnlint.cache import default_cache_dir
from nnlint.cli_config import Messages, config_options, load_run_config
from nnlint.cli_config import show_settings as render_settings
from nnlint.cli_fix import applied_lines, apply_fix_options, fix_options
from nnlint.cli_output import (
    EXIT_CLEAN,
    EXIT_ERROR,
    EXIT_FINDINGS,
    ReportOptions,
    fail,
    report_and_exit,
    split_codes,
    write_report,
)
from nnlint.cli_paths import apply_path_options, given_paths, path_options
from nnlint.config import Config, ConfigError
from nnlint.diagnostics import DIAGNOSTICS
from nnlint.dynamic.cli_support import dynamic_options, run_from_cli
from nnlint.finding import Finding
from nnlint.formatters import FORMAT_MODULES
from nnlint.options_schema import config_option_errors
from nnlint.terminal import Progress
from nnlint.warm_run import Setup, answer_from_cache, plugin_stamps, setup_key, write_setup

if TYPE_CHECKING:
    from nnlint.engine import Linter
    from nnlint.registry import Registry


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--select", multiple=True, help="Codes or prefixes to enable (replaces the configured selection).")
@click.option("--ignore", multiple=True, help="Codes or prefixes to disable.")
@click.option("--extend-select", multiple=True, help="Codes or prefixes to enable on top of the selection.")
@click.option("--format", "output_format", type=click.Choice(sorted(FORMAT_MODULES)), default="text", show_default=True)
@click.option(
    "--output-file", type=click.Path(dir_okay=False, writable=True), help="Write the report here instead of stdout."
)
@click.option(
    "--statistics",
    is_flag=True,
    help="Print the number of findings per code (after a text report; on stderr for the machine-read formats).",
)
@click.option("--stdin-filename", help="Path to report for source read from stdin (PATH '-').")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--fix", is_flag=True, help="Apply safe fixes in place (re-parsed before writing); report what is left.")
@click.option("--diff", is_flag=True, help="Print the fixes --fix would make as a unified diff; change nothing.")
@click.option(
    "--add-noqa",
    is_flag=True,
    help="Write `# noqa: CODE` on the line of every current finding (Python files), then exit.",
)
@click.option("--show-source", is_flag=True, help="Show the source line of each finding with a caret line under it.")
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the report (auto: only on a terminal).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=0),
    default=0,
    help="Worker processes (default 0: one per CPU core; 1: no workers).",
)
@click.option(
    "--no-cache", is_flag=True, help="Neither read nor write the findings cache (.nnlint_cache, or $NNLINT_CACHE_DIR)."
)
@click.option(
    "--debug",
    is_flag=True,
    help="Print the traceback of every rule, probe or plugin failure (NN002) to stderr; reads no cache.",
)
@click.option(
    "--ignore-plugin-errors",
    is_flag=True,
    help="Go on when a plugin fails to load or is rejected (a warning instead of exit 2).",
)
@config_options
@fix_options
@path_options
@dynamic_options
def check(
    paths: Tuple[str, ...],
    select: Tuple[str, ...],
    ignore: Tuple[str, ...],
    extend_select: Tuple[str, ...],
    output_format: str,
    output_file: Optional[str],
    statistics: bool,
    stdin_filename: Optional[str],
    exit_zero: bool,
    fix: bool = False,
    diff: bool = False,
    show_source: bool = False,
    add_noqa: bool = False,
    color: str = "auto",
    jobs: int = 0,
    no_cache: bool = False,
    debug: bool = False,
    ignore_plugin_errors: bool = False,
    exclude: Tuple[str, ...] = (),
    extend_exclude: Tuple[str, ...] = (),
    force_exclude: Optional[bool] = None,
    respect_gitignore: Optional[bool] = None,
    unsafe_fixes: Optional[bool] = None,
    fix_only: bool = False,
    exit_non_zero_on_fix: bool = False,
    show_fixes: bool = False,
    config_args: Tuple[str, ...] = (),
    isolated: bool = False,
    show_settings: bool = False,
    show_files: bool = False,
    quiet: bool = False,
    verbose: bool = False,
    dynamic: bool = False,
    device: Optional[str] = None,
    timeout: Optional[float] = None,
    launcher: Optional[str] = None,
    nproc_per_node: Optional[int] = None,
    python_path: Optional[str] = None,
    experiments: Optional[bool] = None,
    experiment_steps: Optional[int] = None,
    report_path: Optional[str] = None,
) -> None:
    """Lint PATHS (files or folders; default: the current folder) for training bugs."""
    given = given_paths(paths)
    for message in given.errors:  # reported now; the run goes on with the others and exits 2 at the end
        click.echo(f"nnlint: error: {message}", err=True)
    paths = tuple(given.paths)
    say = Messages(quiet, verbose)
    report = ReportOptions(
        output_format,
        output_file,
        show_source,
        color,
        statistics,
        fix_only,
        show_fixes,
        exit_non_zero_on_fix,
        exit_zero,
    )
    stdin_name = stdin_filename or "<stdin>"
    if add_noqa and (fix or diff):
        raise fail("--add-noqa cannot be combined with --fix or --diff")
    try:
        config = load_run_config(config_args, isolated, paths)
    except ConfigError as error:
        raise fail(str(error)) from None
    from nnlint.plugin_boundary import set_debug

    set_debug(debug)
    say.verbose(f"configuration: {config.source}" if config.source is not None else "configuration: none (defaults)")
    settle = functools.partial(
        _settle,
        select=select,
        ignore=ignore,
        extend_select=extend_select,
        exclude=exclude,
        extend_exclude=extend_exclude,
        force_exclude=force_exclude,
        respect_gitignore=respect_gitignore,
        unsafe_fixes=unsafe_fixes,
    )
    setup = None if no_cache or debug else _setup_key(config, settle)
    if setup is not None and not (
        fix or diff or fix_only or add_noqa or show_settings or show_files or "-" in paths or dynamic
    ):
        if experiments is None and experiment_steps is None and report_path is None:
            warm = answer_from_cache(config, setup, default_cache_dir(config.root), list(paths), settle)
            if warm is not None:  # every file an unchanged hit: neither the rules nor libcst are loaded
                for message in warm.setup.problems:
                    say.warning(message)
                say.verbose(f"{warm.setup.rules} rules enabled")
                progress = say.progress(Progress(sys.stderr))
                for done, path in enumerate(warm.files, 1):
                    progress(done, len(warm.files), path)
                progress.close()
                for note in sorted(warm.notes):
                    say.note(note)
                say.done()
                report_and_exit(warm.findings, warm.config, given, report, None, False, False, stdin_name)
    from nnlint.engine import Linter  # here: it imports libcst and the semantic model
    from nnlint.registry import load_registry

    registry = load_registry()
    _report_plugin_errors(registry, ignore_plugin_errors)
    _check_settings(config, registry, select, ignore, extend_select)
    settle(config)
    fix = fix or fix_only

    linter = Linter(config, registry)
    for message in linter.problems:
        say.warning(message)
    if show_settings:
        write_report(render_settings(config, [rule.code for rule in linter.rules]), output_file)
        raise click.exceptions.Exit(EXIT_ERROR if given.missing else EXIT_CLEAN)
    if show_files:
        write_report("".join(f"{path}\n" for path in sorted(linter.files(paths))), output_file)
        _print_notes(linter, say)
        raise click.exceptions.Exit(EXIT_ERROR if given.missing else EXIT_CLEAN)
    say.verbose(f"{len(linter.rules)} rules enabled")
    _configure_speed(linter, jobs, no_cache or debug)
    findings: List[Finding] = []
    fixed_any = False
    file_paths = [p for p in paths if p != "-"]
    stdin_bytes, stdin_source = _read_stdin() if "-" in paths else (None, None)
    report_to_stderr = False
    if stdin_bytes is not None and config.force_exclude and stdin_filename and config.is_excluded(stdin_filename):
        if fix:  # an excluded file passes through --fix unchanged (the report goes to stderr), and is not linted
            sys.stdout.buffer.write(stdin_bytes)
            sys.stdout.flush()
            report_to_stderr = True
        stdin_bytes = stdin_source = None
    progress = say.progress(Progress(sys.stderr))
    if fix or diff:
        from nnlint.autofix import fix_paths

        fixed = fix_paths(linter, file_paths, stdin_source, stdin_name, write=not diff, progress=progress)
        if stdin_bytes is not None and stdin_source is None:  # undecodable: its NN000, and the bytes pass through
            fixed.findings.extend(linter.lint_bytes(stdin_bytes, stdin_name))
            if not diff:
                sys.stdout.buffer.write(stdin_bytes)
                sys.stdout.flush()
                report_to_stderr = True
        progress.close()
        _print_notes(linter, say)
        for problem in fixed.problems:
            click.echo(f"nnlint: error: {problem}", err=True)
        if diff:
            write_report(fixed.diff, output_file)
            raise click.exceptions.Exit(
                EXIT_ERROR if given.missing else EXIT_FINDINGS if fixed.diff or fixed.problems else EXIT_CLEAN
            )
        if fixed.fixed:
            say.summary(f"fixed {fixed.fixed} finding(s) in {fixed.changed_files} file(s)")
        if show_fixes:
            for line in applied_lines(fixed.applied):
                click.echo(f"nnlint: {line}", err=True)
        fixed_any = bool(fixed.fixed)
        if fixed.stdin_fixed is not None:
            write_report(fixed.stdin_fixed, None)  # the fixed source goes to stdout; the report to stderr
            stdin_source, report_to_stderr = fixed.stdin_fixed, True
        findings = [] if fix_only else fixed.findings
    else:
        if stdin_bytes is not None:
            findings.extend(linter.lint_bytes(stdin_bytes, stdin_name))
        findings.extend(linter.lint_paths(file_paths, progress=progress))
        progress.close()
        if setup is not None:
            _record_setup(linter, setup)
    findings.sort(key=Finding.sort_key)
    _print_notes(linter, say)
    say.done()
    if add_noqa:
        _add_noqa(findings, say, EXIT_ERROR if given.missing else EXIT_CLEAN)
    if linter.cache is not None and linter.cache.error:
        say.warning(linter.cache.error)
    dynamic_error = None
    if (experiments or experiment_steps) and not dynamic:
        raise fail("--experiments and --experiment-steps need --dynamic")
    if report_path and not dynamic:
        raise fail("--report draws what a dynamic run saw: it needs --dynamic")
    if dynamic:
        findings, dynamic_error = run_from_cli(
            paths=paths,
            findings=findings,
            config=config,
            registry=registry,
            device=device,
            timeout=timeout,
            launcher=launcher,
            nproc_per_node=nproc_per_node,
            python_path=python_path,
            experiments=experiments,
            experiment_steps=experiment_steps,
            report_path=report_path,
        )

    report_and_exit(
        findings, config, given, report, dynamic_error, report_to_stderr, fixed_any, stdin_name, stdin_source
    )


def _check_codes(registry: Registry, option: str, codes: Sequence[str]) -> None:
    known = registry.all_codes() + list(DIAGNOSTICS)
    for code in codes:
        if code != "ALL" and (not code or not any(k.startswith(code) for k in known)):
            raise fail(f"{option}: unknown rule code or prefix {code!r} (see `nnlint rules`)")


def _settle(
    config: Config,
    select: Sequence[str],
    ignore: Sequence[str],
    extend_select: Sequence[str],
    exclude: Sequence[str],
    extend_exclude: Sequence[str],
    force_exclude: Optional[bool],
    respect_gitignore: Optional[bool],
    unsafe_fixes: Optional[bool],
) -> None:
    """The command line's selection, path and fix options over the configuration's (after its checks)."""
    apply_path_options(config, exclude, extend_exclude, force_exclude, respect_gitignore)
    apply_fix_options(config, unsafe_fixes)
    if select:
        config.select = split_codes(select)
    config.ignore.extend(split_codes(ignore))
    config.extend_select.extend(split_codes(extend_select))


def _setup_key(config: Config, settle: "functools.partial[None]") -> str:
    """The setup key (:mod:`nnlint.warm_run`) of the configuration as loaded and the options ``settle`` applies."""
    return setup_key(config, {name: value for name, value in sorted(settle.keywords.items())})


def _record_setup(linter: "Linter", key: str) -> None:
    """After a run with the findings cache: what later runs with the same setup need from the registry."""
    cache, registry = linter.cache, linter.registry
    if cache is None or not cache.enabled or registry is None or registry.errors or not cache.folder.is_dir():
        return  # written only beside entries the cache wrote, for a run whose plugins all loaded
    setup = Setup(cache.fingerprint, len(linter.rules), list(linter.problems), plugin_stamps(registry), cache.entries())
    write_setup(cache.directory, key, setup)


def _report_plugin_errors(registry: Registry, ignore: bool) -> None:
    """A plugin that failed to load or was rejected: exit 2 (CI must not silently lose its rules), or
    with ``--ignore-plugin-errors`` one warning each and the run goes on without it."""
    for message in registry.errors:
        if ignore:
            click.echo(f"nnlint: warning: {message}", err=True)
        else:
            click.echo(f"nnlint: error: {message} (--ignore-plugin-errors to run without it)", err=True)
    if registry.errors and not ignore:
        raise click.exceptions.Exit(EXIT_ERROR)


def _read_stdin() -> Tuple[bytes, Optional[str]]:
    """Standard input's bytes, and its text decoded as a file's would be (None when it cannot be)."""
    from nnlint.analysis.source import SourceError, decode_source

    stream = sys.stdin
    data = stream.buffer.read() if hasattr(stream, "buffer") else stream.read().encode("utf-8", "surrogateescape")
    try:
        return data, decode_source(data)
    except SourceError:
        return data, None


def _add_noqa(findings: Sequence[Finding], say: Messages, status: int) -> None:
    from nnlint.add_noqa import add_noqa

    run = add_noqa(findings)
    for problem in run.problems:
        click.echo(f"nnlint: error: {problem}", err=True)
    say.summary(f"added {run.added} noqa directive(s) in {run.files} file(s)")
    raise click.exceptions.Exit(EXIT_ERROR if run.problems else status)


def _print_notes(linter: "Linter", say: Messages) -> None:
    for note in sorted(linter.notes):
        say.note(note)
    linter.notes.clear()


def _check_settings(
    config: Config, registry: Registry, select: Sequence[str], ignore: Sequence[str], extend_select: Sequence[str]
) -> None:
    """Every code named on the command line or in the configuration, and every rule option, is known."""
    for option, values in (("--select", select), ("--ignore", ignore), ("--extend-select", extend_select)):
        _check_codes(registry, option, split_codes(values))
    _check_codes(registry, "tool.nnlint.select", config.select)
    _check_codes(registry, "tool.nnlint.ignore", config.ignore)  # with extend-ignore
    _check_codes(registry, "tool.nnlint.extend-select", config.extend_select)
    _check_codes(registry, "tool.nnlint.fixable", config.fixable)
    _check_codes(registry, "tool.nnlint.unfixable", config.unfixable)
    for pattern, codes in config.per_file_ignores.items():
        _check_codes(registry, f"tool.nnlint.per-file-ignores[{pattern!r}]", codes)
    option_problems = config_option_errors(config, registry)
    for message in option_problems[:-1]:
        click.echo(f"nnlint: error: {message}", err=True)
    if option_problems:
        raise fail(option_problems[-1])


def _configure_speed(linter: "Linter", jobs: int, no_cache: bool) -> None:
    from nnlint.parallel import default_jobs

    linter.jobs = jobs or default_jobs()
    if not no_cache:
        from nnlint.cache import Cache, default_cache_dir, run_fingerprint

        linter.cache = Cache(
            default_cache_dir(linter.config.root), run_fingerprint(linter.config, linter.registry, linter.rules)
        )
