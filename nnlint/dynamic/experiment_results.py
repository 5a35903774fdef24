"""Parent side of ``--experiments``: reading the experiments' numbers, loss sparklines, and the run summary.

Nothing here imports torch. The probes NN901-NN904 judge the numbers (``experiment(run, code)``); the CLI
prints one sparkline per training experiment on the terminal (:func:`sparkline_lines`) and, in every
output format, one NN004 record of what the dynamic run ran and saw (:func:`run_summary`).
"""

from __future__ import annotations

import math
import os
from typing import Any, Dict, List, Optional, Sequence

from nnlint.finding import Finding, Severity, Source

SUMMARY_CODE, SUMMARY_NAME = "NN004", "dynamic-run"
_BARS = "▁▂▃▄▅▆▇█"
_ASCII_BARS = "_.-=+*#@"
TITLES = {
    "NN901": "overfit one batch",
    "NN902": "zeroed inputs",
    "NN903": "batch independence",
    "NN904": "eval determinism",
}


def experiments_of(obs: Dict[str, Any]) -> Dict[str, Any]:
    value = obs.get("experiments")
    return value if isinstance(value, dict) else {}


def experiment(run: Any, code: str) -> Optional[Dict[str, Any]]:
    """One experiment's result in a probe's :class:`~nnlint.dynamic.probe.RunView`, or None."""
    result = experiments_of(run.obs).get("results", {}).get(code)
    return result if isinstance(result, dict) else None


def batch_words(run: Any) -> str:
    """``the first batch`` or ``the first batch's first 16 samples`` (NN901/NN902 train on those)."""
    samples = experiments_of(run.obs).get("samples")
    return (
        f"the first batch's first {samples} samples" if isinstance(samples, int) and samples > 0 else "the first batch"
    )


def finite(values: Sequence[Any]) -> List[float]:
    return [float(v) for v in values if isinstance(v, (int, float)) and math.isfinite(v)]


def sparkline(values: Sequence[Any], ascii_only: bool = False) -> str:
    """One character per value, the lowest bar for the smallest finite value; ``!`` for a non-finite one."""
    bars = _ASCII_BARS if ascii_only else _BARS
    seen = finite(values)
    if not seen:
        return "!" * len(values)
    low, high = min(seen), max(seen)
    out = []
    for value in values:
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            out.append("!")
        elif high == low:
            out.append(bars[0])
        else:
            out.append(bars[min(len(bars) - 1, int((value - low) / (high - low) * len(bars)))])
    return "".join(out)


def curve_text(values: Sequence[Any], points: int = 8) -> str:
    """A few of the curve's values, first and last always: ``2.31 (step 0), 1.02 (step 4), ...``."""
    from nnlint.dynamic.probe import fmt

    if not values:
        return "no values"
    count = len(values)
    shown = min(points, count)
    picks = sorted({round(i * (count - 1) / max(shown - 1, 1)) for i in range(shown)})
    return ", ".join(
        f"{fmt(values[i]) if isinstance(values[i], (int, float)) else values[i]} (step {i})" for i in picks
    )


def sparkline_lines(obs: Dict[str, Any], findings: Sequence[Finding], ascii_only: bool = False) -> List[str]:
    """``nnlint: dynamic: NN901 overfit one batch ▇▅▃▂▁ 2.31 -> 0.02 (30 steps): passed``, one per experiment."""
    from nnlint.dynamic.probe import fmt

    report = experiments_of(obs)
    failed = {f.code for f in findings if f.source == Source.DYNAMIC}
    lines = []
    for code in ("NN901", "NN902", "NN903", "NN904"):
        result = report.get("results", {}).get(code)
        verdict = "failed" if code in failed else "passed"
        if result is None:
            why = report.get("skipped", {}).get(code)
            if why:
                lines.append(f"nnlint: dynamic: {code} {TITLES[code]}: not run ({why})")
            continue
        losses = result.get("losses")
        if losses:
            lines.append(
                f"nnlint: dynamic: {code} {TITLES[code]} {sparkline(losses, ascii_only)} {fmt(losses[0])} -> "
                f"{fmt(losses[-1])} "
                f"({result.get('steps')} steps): {verdict}"
            )
        else:
            lines.append(f"nnlint: dynamic: {code} {TITLES[code]}: {verdict}")
    if report.get("skipped_all"):
        lines.append(f"nnlint: dynamic: experiments not run: {report['skipped_all']}")
    return lines


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 'es' if word.endswith('ch') else 's'}"


def summary_evidence(
    obs: Dict[str, Any], device: Optional[str], seconds: float, findings: Sequence[Finding]
) -> Dict[str, Any]:
    report = experiments_of(obs)
    failed = sorted({f.code for f in findings if f.source == Source.DYNAMIC})
    outcome: Dict[str, str] = {}
    for code in ("NN901", "NN902", "NN903", "NN904"):
        if code in report.get("results", {}):
            outcome[code] = "failed" if code in failed else "passed"
        elif code in report.get("skipped", {}):
            outcome[code] = "not run: " + str(report["skipped"][code])
    batches = obs.get("batches") or {}
    return {
        "steps": int(obs.get("steps", 0)),
        "backwards": int(obs.get("backwards", 0)),
        "batches": {"train": int(batches.get("train", 0)), "eval": int(batches.get("eval", 0))},
        "device": obs.get("model_device") or device,
        "seconds": round(seconds, 2),
        "models": sorted({str(f.get("model")) for f in obs.get("train_forwards", []) if f.get("model")}),
        "dynamic_findings": failed,
        "experiments": outcome,
        "experiment_seconds": report.get("seconds"),
        "update_ratio_log10": _update_ratio_logs(obs),
        "stop_reason": obs.get("stop_reason"),
        "skimmed": obs.get("skimmed"),
        "experiment_curves": {
            code: result.get("losses") for code, result in report.get("results", {}).items() if result.get("losses")
        },
    }


def _update_ratio_logs(obs: Dict[str, Any]) -> Optional[Dict[str, float]]:
    """The first step's update ratios ||dw|| / ||w|| as log10: median and range over the weight matrices."""
    logs = sorted(
        math.log10(float(r["ratio"]))
        for r in obs.get("update_ratios") or []
        if isinstance(r.get("ratio"), (int, float)) and r["ratio"] > 0 and math.isfinite(r["ratio"])
    )
    if not logs:
        return None
    middle = len(logs) // 2
    median = logs[middle] if len(logs) % 2 else (logs[middle - 1] + logs[middle]) / 2
    return {"median": round(median, 2), "min": round(logs[0], 2), "max": round(logs[-1], 2), "count": len(logs)}


def run_summary(
    script: str,
    obs: Dict[str, Any],
    device: Optional[str],
    seconds: float,
    findings: Sequence[Finding],
    display_path: Optional[str] = None,
) -> Finding:
    """The NN004 record: what the dynamic run ran and saw, so that a run without findings still says it ran."""
    evidence = summary_evidence(obs, device, seconds, findings)
    batches = evidence["batches"]
    if batches["train"] or batches["eval"]:
        fed = (
            f"{_plural(batches['train'], 'training batch')}, {_plural(batches['eval'], 'evaluation batch')} from "
            "DataLoaders"
        )
    else:
        fed = "no DataLoader batches (the script made its own tensors)"
    seen = (
        f"ran {_plural(evidence['steps'], 'optimizer step')} on {evidence['device'] or 'an unknown device'} "
        f"in {evidence['seconds']:g} s: {fed}"
    )
    if evidence["models"]:
        seen += f", model {', '.join(evidence['models'])}"
    if evidence["experiments"]:
        seen += "; experiments: " + ", ".join(f"{code} {state}" for code, state in evidence["experiments"].items())
    found = evidence["dynamic_findings"]
    seen += f"; {len(found)} dynamic finding(s)" + (f" ({', '.join(found)})" if found else "")
    return Finding(
        path=display_path or _relative(script),
        line=1,
        column=1,
        code=SUMMARY_CODE,
        name=SUMMARY_NAME,
        message=f"dynamic run: {seen}",
        severity=Severity.INFO,
        source=Source.DYNAMIC,
        evidence=evidence,
    )


def is_summary(finding: Finding) -> bool:
    return finding.code == SUMMARY_CODE


def _relative(path: str) -> str:
    try:
        relative = os.path.relpath(path)
        return path if relative.startswith("..") else relative
    except ValueError:
        return path
