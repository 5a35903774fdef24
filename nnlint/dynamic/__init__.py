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


class _Stopped:
    """What a probe call that ran past its time budget gives back instead of its result."""

    def __init__(self, seconds: float) -> None:
        self.what = f"exceeded {seconds:g} s and was stopped (tool.nnlint.rule-timeout)"


def _within(seconds: float, call: Callable[[], object]) -> object:
    """``call()`` under a time budget of ``seconds`` (0: none), or a :class:`_Stopped` when it ran out."""
    from nnlint.limits import BudgetExceeded, TimeBudget

    budget = TimeBudget(seconds)
    try:
        with budget:
            return call()
    except BudgetExceeded as error:
        if error.budget is not budget:
            raise
        return _Stopped(seconds)


def apply_probes(
    script: str,
    ranks: Sequence[dict],
    probes: Sequence[object],
    static_findings: Sequence[Finding],
    timeout: float = 0.0,
) -> List[Finding]:
    """Run every probe over one run's observations; set ``confirmed`` on static findings in place.

    Probes are held to the rules' boundary: one that raises (``SystemExit`` included), runs past
    ``timeout`` seconds (``rule-timeout``) in one call, reports an unusable finding or answers
    ``confirm`` with something other than None/True/False is one NN002 finding naming it (and where it
    raised); the others still run, and the static findings stay."""
    from nnlint.dynamic.probe import RunView, probe_error
    from nnlint.plugin_boundary import call_plugin, failed, finding_problem, print_traceback

    def failure(probe: object, error: BaseException) -> str:
        print_traceback(error, f"probe {getattr(probe, 'code', '?')} ({getattr(probe, 'name', '?')})")
        return failed(error, type(probe))

    def checked(probe: object) -> Optional[str]:
        outcome = _within(timeout, lambda: probe.check(view))  # type: ignore[attr-defined]
        return outcome.what if isinstance(outcome, _Stopped) else None

    view = RunView(script, ranks, static_findings)
    failures: List[Finding] = []
    by_code: Dict[str, object] = {}
    for probe in probes:
        view.probe = probe  # type: ignore[assignment]
        first = len(view.findings)
        problem = call_plugin(lambda: checked(probe), lambda error: failure(probe, error))
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
        verdict = call_plugin(lambda: _within(timeout, lambda: probe.confirm(finding, view)), lambda error: error)  # type: ignore[attr-defined]
        if verdict is not None and not isinstance(verdict, bool):
            if isinstance(verdict, _Stopped):
                what = verdict.what
            elif isinstance(verdict, BaseException):
                what = failure(probe, verdict)
            else:
                what = f"answered confirm() with {verdict!r}, not None, True or False"
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
    probe_timeout: float = 0.0,
    experiments: Optional[Dict[str, Any]] = None,
) -> DynamicReport:
    """``experiments``: run NN901-NN904 after the first step, ``{"steps": K, "budget": F}`` (None: not)."""
    from nnlint.dynamic.runner import DEFAULT_TIMEOUT, run_script
    from nnlint.notebooks import is_notebook_path

    if is_notebook_path(script):
        from nnlint.dynamic.notebook import run_notebook

        return run_notebook(
            script,
            args,
            probes,
            static_findings,
            python=python,
            device=device,
            timeout=timeout or DEFAULT_TIMEOUT,
            launcher=launcher,
            nproc_per_node=nproc_per_node,
            progress=progress,
            probe_timeout=probe_timeout,
        )
    result = run_script(
        script,
        args,
        python=python,
        device=device,
        timeout=timeout or DEFAULT_TIMEOUT,
        launcher=launcher,
        nproc_per_node=nproc_per_node,
        progress=progress,
        experiments=experiments,
    )
    report = DynamicReport(
        error=str(result.error) if result.error else None,
        note=result.note,
        seconds=result.seconds,
        status=result.status,
        ended=result.ended,
        observations=result.observations,
    )
    if result.error is None:
        report.findings = apply_probes(result.script, result.ranks, probes, static_findings, probe_timeout)
    return report


__all__ = ["DynamicReport", "apply_probes", "run_dynamic"]
