"""The ``--dynamic`` options of ``nnlint check`` and the glue between the CLI and the dynamic pass.

``cli.py`` only decorates its command with :func:`dynamic_options`, splits the script's arguments off at
``--`` with :func:`split_script_args`, and calls :func:`run_from_cli` after the static pass.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Callable, List, Optional, Sequence, Tuple

import click

from nnlint.finding import Finding

SCRIPT_ARGS_KEY = "nnlint_script_args"


def split_script_args(ctx: click.Context, args: List[str]) -> List[str]:
    """Everything after the first ``--`` belongs to the user's script, not to nnlint."""
    if "--" in args:
        index = args.index("--")
        ctx.meta[SCRIPT_ARGS_KEY] = args[index + 1 :]
        return args[:index]
    return args


def dynamic_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--dynamic",
            is_flag=True,
            help="Also run the script for one instrumented training step (arguments for it after `--`).",
        ),
        click.option(
            "--device",
            type=click.Choice(["auto", "cpu", "cuda"]),
            default=None,
            help="Device for --dynamic (default: auto).",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=1),
            default=None,
            help="Seconds --dynamic may take before the script is killed (default 300).",
        ),
        click.option(
            "--launcher",
            type=click.Choice(["none", "torchrun"]),
            default=None,
            help="Launch the --dynamic run under torchrun.",
        ),
        click.option(
            "--nproc-per-node",
            type=click.IntRange(min=1),
            default=None,
            help="Processes for --launcher torchrun (default 2).",
        ),
        click.option(
            "--experiments",
            is_flag=True,
            default=None,
            help="With --dynamic: after the first step, run the NN901-NN904 experiments on copies of the model and "
            "batch.",
        ),
        click.option(
            "--experiment-steps",
            type=click.IntRange(min=1),
            default=None,
            help="Steps of the overfit and zeroed-input experiments (default 30).",
        ),
        click.option(
            "--report",
            "report_path",
            type=click.Path(dir_okay=False),
            default=None,
            help="With --dynamic: also write a self-contained HTML report (plots need the `report` extra).",
        ),
        click.option(
            "--python",
            "python_path",
            type=click.Path(dir_okay=False),
            default=None,
            help="Interpreter (with torch) for --dynamic (default: this one).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def run_from_cli(
    *,
    paths: Sequence[str],
    findings: List[Finding],
    config: Any,
    registry: Any,
    device: Optional[str],
    timeout: Optional[float],
    launcher: Optional[str],
    nproc_per_node: Optional[int],
    python_path: Optional[str],
    experiments: Optional[bool] = None,
    experiment_steps: Optional[int] = None,
    report_path: Optional[str] = None,
) -> Tuple[List[Finding], Optional[str]]:
    """Run the dynamic pass on the one script in ``paths``; returns (all findings, error or None)."""
    import shlex  # here: only a --dynamic run needs it

    from nnlint.dynamic import run_dynamic

    scripts = [p for p in paths if p != "-"]
    if len(scripts) != 1 or not os.path.isfile(scripts[0]):
        return findings, "--dynamic needs exactly one script file (its arguments go after `--`)"
    if report_path:
        from nnlint.dynamic.html_report import ReportError, require_matplotlib

        try:
            require_matplotlib()
        except ReportError as missing:
            return findings, str(missing)
    settings = dict(getattr(config, "dynamic", {}) or {})
    probes = set_up_probes(
        registry, config, scripts[0], lambda message: click.echo(f"nnlint: warning: {message}", err=True)
    )
    ctx = click.get_current_context(silent=True)
    script_args = list(ctx.meta.get(SCRIPT_ARGS_KEY, [])) if ctx is not None else []
    if not script_args and settings.get("args"):
        script_args = [str(a) for a in settings["args"]]
    launcher = launcher or settings.get("launcher")
    launcher = None if launcher in (None, "none") else launcher
    nproc = nproc_per_node or int(settings.get("nproc-per-node", 2))
    try:
        python = python_path or configured_interpreter(settings.get("python"), config, scripts[0])
    except ValueError as refused:
        return findings, str(refused)
    from nnlint.dynamic.runner import user_command

    # the user asked for it, but it is code running: say so every time, terminal or not
    click.echo(
        "nnlint: dynamic: executing the script: "
        f"{shlex.join(user_command(scripts[0], script_args, python, launcher, nproc))}",
        err=True,
    )
    show = sys.stderr.isatty()
    report = run_dynamic(
        scripts[0],
        script_args,
        probes,
        findings,
        python=python,
        device=device or settings.get("device", "auto"),
        timeout=timeout or settings.get("timeout"),
        launcher=launcher,
        nproc_per_node=nproc,
        progress=(lambda stage: click.echo(f"nnlint: dynamic: {stage}", err=True)) if show else None,
        probe_timeout=config.limits.rule_timeout if hasattr(config, "limits") else 0.0,
        experiments=experiment_settings(experiments, experiment_steps, settings),
    )
    if report.ended:
        click.echo(
            f"nnlint: dynamic: note: ended {len(report.ended)} process(es) the script left running outside its "
            f"process group: {', '.join(report.ended)}",
            err=True,
        )
    if report.note:
        click.echo(f"nnlint: dynamic: note: {report.note}", err=True)
    merged = sorted([*findings, *report.findings], key=Finding.sort_key)
    if report.error is None:
        record = summary_and_sparklines(scripts[0], report, findings, show)
        if config.is_enabled(record.code, scripts[0]):  # `--ignore NN004` (or a --select without it) hides it
            merged.append(record)  # last: the report's closing line
    error = f"dynamic pass: {report.error}" if report.error else None
    if report_path:
        from nnlint.dynamic.html_report import ReportError, write_report

        try:
            write_report(report_path, scripts[0], report.observations or {}, merged, error)
        except ReportError as failed:
            return merged, error or str(failed)
        click.echo(f"nnlint: dynamic: wrote the report {report_path}", err=True)
    return merged, error


def experiment_settings(flag: Optional[bool], steps: Optional[int], settings: Any) -> Optional[dict]:
    """``--experiments`` / ``[tool.nnlint.dynamic] experiments``: the harness's settings, or None."""
    if not (flag or (flag is None and settings.get("experiments"))):
        return None
    from nnlint.dynamic.runner import EXPERIMENT_BUDGET

    return {"steps": steps or int(settings.get("experiment-steps", 30)), "budget": EXPERIMENT_BUDGET}


def summary_and_sparklines(script: str, report: Any, static: Sequence[Finding], show: bool) -> Finding:
    """Prints one loss sparkline per experiment on stderr (a terminal: Unicode bars where it can encode
    them); returns the NN004 record of what the run ran and saw."""
    from nnlint.dynamic.experiment_results import run_summary, sparkline_lines
    from nnlint.dynamic.probe import _display_path

    encoding = getattr(sys.stderr, "encoding", None) or "ascii"
    try:
        "▁█".encode(encoding)
        ascii_only = False
    except (UnicodeEncodeError, LookupError):
        ascii_only = True
    for line in sparkline_lines(report.observations, report.findings, ascii_only=ascii_only):
        click.echo(line, err=True)
    return run_summary(
        script,
        report.observations,
        None,
        report.seconds,
        report.findings,
        display_path=_display_path(os.path.realpath(script), static),
    )


def set_up_probes(registry: Any, config: Any, script: str, warn: Callable[[str], None]) -> List[Any]:
    """The enabled probes, each with its options; one that cannot be set up is ``warn``-ed about and skipped."""
    from nnlint.plugin_boundary import call_plugin, describe
    from nnlint.registry import plugin_label

    def failed(code: str, cls: type, error: BaseException) -> None:
        warn(
            f"{plugin_label(code, registry)}probe {code} ({getattr(cls, 'name', '?')}) could not be set up: "
            f"{describe(error)}; skipped"
        )

    probes = []
    for code, cls in sorted(registry.probes.items()):
        if config.is_enabled(code, script):
            probe = call_plugin(lambda: cls(config.options_for(code, cls.name)), lambda error: failed(code, cls, error))
            if probe is not None:
                probes.append(probe)
    return probes


def configured_interpreter(configured: Any, config: Any, script: str) -> Optional[str]:
    """The interpreter ``[tool.nnlint.dynamic] python`` names, as an absolute path; ValueError when it lies
    inside the repository tree (a cloned repository must not choose a program nnlint runs: ``--python``
    confirms one)."""
    import shlex
    import shutil  # here: a static run needs neither

    if configured in (None, ""):
        return None
    if not isinstance(configured, str):
        raise ValueError(f"tool.nnlint.dynamic.python must be a string (a path to an interpreter), not {configured!r}")
    root = getattr(config, "root", None)
    base = str(root) if root is not None else os.getcwd()
    if os.path.isabs(configured):
        candidates = [configured]
    elif os.sep in configured or (os.altsep and os.altsep in configured):
        candidates = [
            os.path.join(base, configured),
            os.path.join(os.path.dirname(os.path.abspath(script)), configured),
        ]
    else:
        found = shutil.which(configured)
        candidates = [found] if found else []
    if not candidates:
        return configured  # not found on PATH: starting it will fail with a clear message
    tree = repository_root(Path(base))
    for candidate in candidates:
        for form in (os.path.abspath(candidate), os.path.realpath(candidate)):
            if _inside(form, tree):
                source = getattr(config, "source", None) or "the configuration"
                raise ValueError(
                    f"{source}: tool.nnlint.dynamic.python = {configured!r} names a program inside the repository "
                    f"({form}); nnlint runs a program a repository chooses only when you confirm it: "
                    f"--python {shlex.quote(configured)}"
                )
    return os.path.abspath(candidates[0])


def repository_root(start: Path) -> str:
    """The nearest folder at or above ``start`` holding a version-control folder, else ``start``."""
    start = start.absolute()
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in (".git", ".hg", ".svn")):
            return str(folder)
    return str(start)


def _inside(path: str, folder: str) -> bool:
    for base in {os.path.abspath(folder), os.path.realpath(folder)}:
        try:
            if os.path.commonpath([base, path]) == base:
                return True
        except ValueError:  # different drives
            continue
    return False
