"""The dynamic pass: run the user's script for one instrumented training step in a child process.

``run_dynamic`` is the one entry point the CLI needs: it runs the script (``runner``; a notebook's code
cells through ``notebook``), lets every probe
turn the observations into findings and confirm or refute the static findings of its code (``probe``),
and returns the new findings plus, if no step could be observed, one clear error. Nothing here imports
torch; the child side lives in ``harness``/``recorder`` and runs under the user's interpreter.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence

from nnlint.finding import Finding


@dataclass
class DynamicReport:
    findings: List[Finding] = field(default_factory=list)  # new dynamic findings (source "dynamic")
    error: Optional[str] = None  # no step observed: why, in one sentence
    note: Optional[str] = None
    seconds: float = 0.0
    status: str = ""
    ended: List[str] = field(default_factory=list)  # processes that had left the script's process group, ended
    observations: Dict[str, Any] = field(default_factory=dict)  # rank 0's observations (what the run saw)


def apply_probes(script: str, ranks: Sequence[dict], probes: Sequence[object], static_findings: Sequence[Finding]) -> List[Finding]:
    """Run every probe over one run's observations; set ``confirmed`` on static findings in place.

    A probe that raises (``SystemExit`` included), reports an unusable finding or answers ``confirm``
    with something other than None/True/False is one NN002 finding naming it; the others still run."""
    from nnlint.dynamic.probe import RunView, probe_error
    from nnlint.plugin_boundary import call_plugin, describe, finding_problem

    view = RunView(script, ranks, static_findings)
    failures: List[Finding] = []
    by_code: Dict[str, object] = {}
    for probe in probes:
        view.probe = probe  # type: ignore[assignment]
        first = len(view.findings)
        problem = call_plugin(lambda: probe.check(view), lambda error: f"failed: {describe(error)}")  # type: ignore[attr-defined]
        if problem is None:
            unusable = [p for p in map(finding_problem, view.findings[first:]) if p is not None]
            problem = f"produced an unusable finding: {unusable[0]}; its findings are dropped" if unusable else None
        if problem is not None:
            del view.findings[first:]
            failures.append(probe_error(view, probe, problem))
            continue
        by_code[probe.code] = probe  # type: ignore[attr-defined]
    for finding in static_findings:
        probe = by_code.get(finding.code)
        if probe is None:
            continue
        verdict = call_plugin(lambda: probe.confirm(finding, view), lambda error: error)  # type: ignore[attr-defined]
        if verdict is not None and not isinstance(verdict, bool):
            what = f"failed: {describe(verdict)}" if isinstance(verdict, BaseException) else f"answered confirm() with {verdict!r}, not None, True or False"
            failures.append(probe_error(view, probe, what))
            del by_code[finding.code]  # one report; its other findings stay unconfirmed
            continue
        if verdict is not None:
            finding.confirmed = verdict
    return sorted(view.findings + failures, key=Finding.sort_key)


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
    experiments: Optional[Dict[str, Any]] = None,
) -> DynamicReport:
    """``experiments``: run NN901-NN904 after the first step, ``{"steps": K, "budget": F}`` (None: not)."""
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
        launcher=launcher, nproc_per_node=nproc_per_node, progress=progress, experiments=experiments,
    )
    report = DynamicReport(
        error=str(result.error) if result.error else None, note=result.note, seconds=result.seconds,
        status=result.status, ended=result.ended, observations=result.observations,
    )
    if result.error is None:
        report.findings = apply_probes(result.script, result.ranks, probes, static_findings)
    return report


__all__ = ["DynamicReport", "apply_probes", "run_dynamic"]
