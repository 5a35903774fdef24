"""The dynamic pass: run the user's script for one instrumented training step in a child process.

``run_dynamic`` is the one entry point the CLI needs: it runs the script (``runner``; a notebook's code
cells through ``notebook``), lets every probe
turn the observations into findings and confirm or refute the static findings of its code (``probe``),
and returns the new findings plus, if no step could be observed, one clear error. Nothing here imports
torch; the child side lives in ``harness``/``recorder`` and runs under the user's interpreter.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence

from nnlint.finding import Finding


@dataclass
class DynamicReport:
    findings: List[Finding] = field(default_factory=list)  # new dynamic findings (source "dynamic")
    error: Optional[str] = None  # no step observed: why, in one sentence
    note: Optional[str] = None
    seconds: float = 0.0
    status: str = ""
    ended: List[str] = field(default_factory=list)  # processes that had left the script's process group, ended


def apply_probes(script: str, ranks: Sequence[dict], probes: Sequence[object], static_findings: Sequence[Finding]) -> List[Finding]:
    """Run every probe over one run's observations; set ``confirmed`` on static findings in place."""
    from nnlint.dynamic.probe import RunView

    view = RunView(script, ranks, static_findings)
    by_code: Dict[str, object] = {}
    for probe in probes:
        view.probe = probe  # type: ignore[assignment]
        probe.check(view)  # type: ignore[attr-defined]
        by_code[probe.code] = probe  # type: ignore[attr-defined]
    for finding in static_findings:
        probe = by_code.get(finding.code)
        if probe is None:
            continue
        verdict = probe.confirm(finding, view)  # type: ignore[attr-defined]
        if verdict is not None:
            finding.confirmed = verdict
    return sorted(view.findings, key=Finding.sort_key)


def run_dynamic(
    script: str,
    args: Sequence[str],
    probes: Sequence[object],
    static_findings: Sequence[Finding] = (),
    *,
    python: Optional[str] = None,
    device: str = "auto",
    timeout: Optional[float] = None,
    launcher: Optional[str] = None,
    nproc_per_node: int = 1,
    progress: Optional[Callable[[str], None]] = None,
) -> DynamicReport:
    from nnlint.dynamic.runner import DEFAULT_TIMEOUT, run_script
    from nnlint.notebooks import is_notebook_path

    if is_notebook_path(script):
        from nnlint.dynamic.notebook import run_notebook

        return run_notebook(
            script, args, probes, static_findings, python=python, device=device, timeout=timeout or DEFAULT_TIMEOUT,
            launcher=launcher, nproc_per_node=nproc_per_node, progress=progress,
        )
    result = run_script(
        script, args, python=python, device=device, timeout=timeout or DEFAULT_TIMEOUT,
        launcher=launcher, nproc_per_node=nproc_per_node, progress=progress,
    )
    report = DynamicReport(
        error=str(result.error) if result.error else None, note=result.note, seconds=result.seconds,
        status=result.status, ended=result.ended,
    )
    if result.error is None:
        report.findings = apply_probes(result.script, result.ranks, probes, static_findings)
    return report


__all__ = ["DynamicReport", "apply_probes", "run_dynamic"]
