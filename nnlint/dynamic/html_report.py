"""``--report report.html``: one self-contained HTML page of what a dynamic run saw, with plots.

The plots (the experiments' loss curves, per-layer gradient norms, update ratios, activation statistics)
are drawn with matplotlib, the optional extra ``nnlint[report]``, as inline SVG: the page loads nothing
from anywhere. Only this module imports matplotlib, and only ``--report`` imports this module, so the
static pass and a plain ``--dynamic`` run never do. Nothing here imports torch: the page is drawn in
nnlint's process from the run's JSON observations and its findings.
"""

from __future__ import annotations

import html
import io
import json
import math
from typing import Any, Dict, List, Optional, Sequence, Tuple

from nnlint.finding import Finding, Source

EXTRA_HINT = "pip install 'nnlint[report]'"
MAX_BARS = 40  # layers per bar chart: the first ones in forward / parameter order


class ReportError(Exception):
    """The report cannot be drawn (matplotlib missing) or written: one clear message."""


def require_matplotlib() -> None:
    """Fail before the run, not after it, when the extra is missing."""
    import importlib.util

    if importlib.util.find_spec("matplotlib") is None:
        raise ReportError(f"--report draws its plots with matplotlib, which is not installed: {EXTRA_HINT}")


def write_report(
    path: str, script: str, observations: Dict[str, Any], findings: Sequence[Finding], error: Optional[str] = None
) -> None:
    page = render_report(script, observations, findings, error)
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(page)
    except OSError as failed:
        raise ReportError(f"--report {path}: cannot write it ({failed.strerror or failed})") from None


def render_report(
    script: str, observations: Dict[str, Any], findings: Sequence[Finding], error: Optional[str] = None
) -> str:
    """The page: what the run saw, its findings with their evidence, then one plot per kind of observation."""
    summary = next((f for f in findings if f.code == "NN004"), None)
    verdicts = [f for f in findings if f.code != "NN004" and (f.source == Source.DYNAMIC or f.confirmed)]
    static = [f for f in findings if f.code != "NN004" and f not in verdicts]
    parts = [
        _head(script),
        _run_section(observations, summary, error),
        _findings_section(verdicts, static),
        '<section id="plots"><h2>Plots</h2>',
    ]
    for anchor, title, draw in PLOTS:
        figure = draw(observations)
        parts.append(_figure(anchor, title, figure))
    parts.append("</section></main></body></html>\n")
    return "\n".join(parts)


# ---------------------------------------------------------------------------------------------- sections
_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
main{max-width:1000px;margin:0 auto;padding:16px 24px}
h1{font-size:22px} h2{font-size:18px;border-bottom:1px solid #d5d9e0;padding-bottom:4px}
table{border-collapse:collapse;width:100%;background:#fff} td,th{border:1px solid #d5d9e0;padding:4px 8px;
text-align:left;vertical-align:top} th{background:#eef0f4}
.code{font-weight:600;white-space:nowrap} .dynamic{color:#a4262c} .static{color:#6b4f00}
pre{margin:0;white-space:pre-wrap;font-size:12px;max-height:16em;overflow:auto}
figure{background:#fff;border:1px solid #d5d9e0;margin:12px 0;padding:8px} figure svg{width:100%;height:auto}
figcaption{font-weight:600} .none{color:#5b6270;font-style:italic} .error{color:#a4262c}
"""


def _head(script: str) -> str:
    name = html.escape(script)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>nnlint dynamic report: {name}</title><style>{_STYLE}</style></head><body><main>"
        f"<h1>nnlint dynamic report: <code>{name}</code></h1>"
    )


def _run_section(obs: Dict[str, Any], summary: Optional[Finding], error: Optional[str]) -> str:
    evidence = (summary.evidence or {}) if summary is not None else {}
    batches = evidence.get("batches") or obs.get("batches") or {}
    rows: List[Tuple[str, str]] = [
        ("optimizer steps", str(evidence.get("steps", obs.get("steps", 0)))),
        ("backward passes", str(evidence.get("backwards", obs.get("backwards", 0)))),
        ("batches", f"{batches.get('train', 0)} training, {batches.get('eval', 0)} evaluation"),
        ("device", str(evidence.get("device") or obs.get("model_device") or "unknown")),
    ]
    if "seconds" in evidence:
        rows.append(("seconds", f"{evidence['seconds']:g}"))
    if evidence.get("models"):
        rows.append(("models", ", ".join(evidence["models"])))
    for optimizer in obs.get("optimizers") or []:
        groups = optimizer.get("param_groups") or []
        lrs = sorted({g["lr"] for g in groups if isinstance(g.get("lr"), (int, float))})
        rows.append(("optimizer", f"{optimizer.get('class')} (lr {', '.join(f'{lr:g}' for lr in lrs) or '?'})"))
    for code, state in (evidence.get("experiments") or {}).items():
        rows.append((f"experiment {code}", state))
    if obs.get("stop_reason"):
        rows.append(("stopped", str(obs["stop_reason"])))
    body = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
    said = f'<p class="error">{html.escape(error)}</p>' if error else ""
    if summary is not None:
        said += f"<p>{html.escape(summary.message)}</p>"
    return f'<section id="run"><h2>What the run saw</h2>{said}<table>{body}</table></section>'


def _findings_section(verdicts: Sequence[Finding], static: Sequence[Finding]) -> str:
    if not verdicts and not static:
        return '<section id="findings"><h2>Findings</h2><p class="none">No findings.</p></section>'
    rows = []
    for finding in [*verdicts, *static]:
        kind = "dynamic" if finding.source == Source.DYNAMIC else "static"
        label = kind + (" (confirmed at run time)" if kind == "static" and finding.confirmed else "")
        evidence = json.dumps(finding.evidence, indent=1, default=str) if finding.evidence else ""
        rows.append(
            f'<tr class="finding" data-code="{html.escape(finding.code)}">'
            f'<td class="code {kind}">{html.escape(finding.code)}</td>'
            f"<td>{html.escape(f'{finding.path}:{finding.line}:{finding.column}')}</td>"
            f"<td>{html.escape(label)}</td><td>{html.escape(finding.message)}"
            + (f"<pre>{html.escape(evidence)}</pre>" if evidence else "")
            + "</td></tr>"
        )
    return (
        '<section id="findings"><h2>Findings</h2><table><tr><th>code</th><th>where</th><th>source</th>'
        f"<th>message and evidence</th></tr>{''.join(rows)}</table></section>"
    )


def _figure(anchor: str, title: str, figure: Any) -> str:
    if isinstance(figure, str):  # why there is nothing to draw
        content = f'<p class="none">{html.escape(figure)}</p>'
    else:
        content = _svg(figure)
    return f'<figure id="plot-{anchor}" class="plot"><figcaption>{html.escape(title)}</figcaption>{content}</figure>'


def _svg(figure: Any) -> str:
    import matplotlib

    out = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "nnlint"}):
        figure.savefig(out, format="svg", bbox_inches="tight")
    text = out.getvalue()
    return text[text.find("<svg") :]


# ---------------------------------------------------------------------------------------------- plots
def _new_figure(rows: int = 0) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(9, max(3.0, min(12.0, 0.8 + 0.26 * rows))), dpi=100)


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def plot_losses(obs: Dict[str, Any]) -> Any:
    from nnlint.dynamic.experiment_results import TITLES, experiments_of

    curves = {
        f"{code} {TITLES.get(code, '')}".strip(): result["losses"]
        for code, result in sorted(experiments_of(obs).get("results", {}).items())
        if isinstance(result, dict) and result.get("losses")
    }
    script = [e.get("value") for e in obs.get("losses") or [] if e.get("phase") != "eval" and _finite(e.get("value"))]
    if len(script) > 1:
        curves["the script's training losses"] = script
    if not curves:
        return "No loss curve: the run computed fewer than two training losses and ran no experiment (--experiments)."
    figure = _new_figure()
    axes = figure.subplots()
    positive = all(v > 0 for values in curves.values() for v in values if _finite(v))
    for label, values in curves.items():
        points = [(i, v) for i, v in enumerate(values) if _finite(v)]
        axes.plot([p[0] for p in points], [p[1] for p in points], marker="." if len(points) < 40 else None, label=label)
    if positive:
        axes.set_yscale("log")
    axes.set_xlabel("step")
    axes.set_ylabel("loss")
    axes.legend(loc="best")
    axes.grid(True, alpha=0.3)
    return figure


def _bars(names: Sequence[str], values: Sequence[float], xlabel: str, log: bool = True) -> Any:
    figure = _new_figure(len(names))
    axes = figure.subplots()
    positions = list(range(len(names)))[::-1]
    axes.barh(positions, values, color="#4c72b0")
    axes.set_yticks(positions)
    axes.set_yticklabels(names, fontsize=8)
    if log:
        axes.set_xscale("log")
    axes.set_xlabel(xlabel)
    axes.grid(True, axis="x", alpha=0.3)
    return figure


def plot_gradients(obs: Dict[str, Any]) -> Any:
    grads = [g for g in obs.get("grads") or [] if _finite(g.get("grad_norm")) and g["grad_norm"] > 0][:MAX_BARS]
    if not grads:
        return "No gradient norms: the run reached no optimizer step with gradients."
    return _bars([str(g.get("name")) for g in grads], [g["grad_norm"] for g in grads], "gradient norm ||g|| (log)")


def plot_update_ratios(obs: Dict[str, Any]) -> Any:
    ratios = [r for r in obs.get("update_ratios") or [] if _finite(r.get("ratio")) and r["ratio"] > 0][:MAX_BARS]
    if not ratios:
        return "No update ratios: the run reached no optimizer step that changed a weight matrix."
    figure = _bars(
        [str(r.get("name")) for r in ratios], [r["ratio"] for r in ratios], "update ratio ||dw|| / ||w|| (log)"
    )
    axes = figure.axes[0]
    axes.axvline(1e-3, color="#55a868", linestyle="--", label="1e-3 (rule of thumb)")
    axes.legend(loc="best", fontsize=8)
    return figure


def plot_activations(obs: Dict[str, Any]) -> Any:
    acts = [a for a in obs.get("activations") or [] if _finite(a.get("mean")) and _finite(a.get("std"))]
    acts = sorted(acts, key=lambda a: a.get("order", 0))[:MAX_BARS]
    if not acts:
        return "No activation statistics: the run recorded no forward through layers with parameters."
    figure = _new_figure(len(acts))
    axes = figure.subplots()
    positions = list(range(len(acts)))[::-1]
    axes.errorbar(
        [a["mean"] for a in acts], positions, xerr=[a["std"] for a in acts], fmt="o", capsize=3, label="mean ± std"
    )
    axes.set_yticks(positions)
    axes.set_yticklabels([f"{a.get('module')} ({a.get('module_type')})" for a in acts], fontsize=8)
    axes.axvline(0, color="#999999", linewidth=0.8)
    axes.set_xlabel("activation value: mean ± std over the first training batch")
    axes.legend(loc="best", fontsize=8)
    axes.grid(True, axis="x", alpha=0.3)
    return figure


PLOTS = (
    ("losses", "Loss curves (experiments and the script's own steps)", plot_losses),
    ("gradients", "Gradient norm per parameter at the first optimizer step", plot_gradients),
    ("update-ratios", "Update ratio per weight matrix at the first optimizer step", plot_update_ratios),
    ("activations", "Activation statistics per layer (first training forward)", plot_activations),
)
