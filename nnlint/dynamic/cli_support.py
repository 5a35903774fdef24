"""The ``--dynamic`` options of ``nnlint check`` and the glue between the CLI and the dynamic pass.

``cli.py`` only decorates its command with :func:`dynamic_options`, splits the script's arguments off at
``--`` with :func:`split_script_args`, and calls :func:`run_from_cli` after the static pass.
"""
from __future__ import annotations

import sys
from typing import Any, Callable, List, Optional, Sequence, Tuple

import click

from nnlint.finding import Finding

SCRIPT_ARGS_KEY = "nnlint_script_args"


def split_script_args(ctx: click.Context, args: List[str]) -> List[str]:
    """Everything after the first ``--`` belongs to the user's script, not to nnlint."""
    if "--" in args:
        index = args.index("--")
        ctx.meta[SCRIPT_ARGS_KEY] = args[index + 1:]
        return args[:index]
    return args


def dynamic_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--dynamic", is_flag=True, help="Also run the script for one instrumented training step (arguments for it after `--`)."),
        click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default=None, help="Device for --dynamic (default: auto)."),
        click.option("--timeout", type=click.FloatRange(min=1), default=None, help="Seconds --dynamic may take before the script is killed (default 300)."),
        click.option("--launcher", type=click.Choice(["none", "torchrun"]), default=None, help="Launch the --dynamic run under torchrun."),
        click.option("--nproc-per-node", type=click.IntRange(min=1), default=None, help="Processes for --launcher torchrun (default 2)."),
        click.option("--python", "python_path", type=click.Path(dir_okay=False), default=None, help="Interpreter (with torch) for --dynamic (default: this one)."),
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
) -> Tuple[List[Finding], Optional[str]]:
    """Run the dynamic pass on the one script in ``paths``; returns (all findings, error or None)."""
    import os

    from nnlint.dynamic import run_dynamic

    scripts = [p for p in paths if p != "-"]
    if len(scripts) != 1 or not os.path.isfile(scripts[0]):
        return findings, "--dynamic needs exactly one script file (its arguments go after `--`)"
    settings = dict(getattr(config, "dynamic", {}) or {})
    probes = [
        cls(config.options_for(code, cls.name))
        for code, cls in sorted(registry.probes.items())
        if config.is_enabled(code, scripts[0])
    ]
    ctx = click.get_current_context(silent=True)
    script_args = list(ctx.meta.get(SCRIPT_ARGS_KEY, [])) if ctx is not None else []
    if not script_args and settings.get("args"):
        script_args = [str(a) for a in settings["args"]]
    launcher = launcher or settings.get("launcher")
    show = sys.stderr.isatty()
    report = run_dynamic(
        scripts[0], script_args, probes, findings,
        python=python_path or settings.get("python"),
        device=device or settings.get("device", "auto"),
        timeout=timeout or settings.get("timeout"),
        launcher=None if launcher in (None, "none") else launcher,
        nproc_per_node=nproc_per_node or int(settings.get("nproc-per-node", 2)),
        progress=(lambda stage: click.echo(f"nnlint: dynamic: {stage}", err=True)) if show else None,
    )
    if report.note:
        click.echo(f"nnlint: dynamic: note: {report.note}", err=True)
    merged = sorted([*findings, *report.findings], key=Finding.sort_key)
    return merged, (f"dynamic pass: {report.error}" if report.error else None)
