"""The probe base class: runtime checks that turn one run's observations into findings.

A probe is the dynamic twin of a :class:`~nnlint.rule.Rule`. Its class docstring is its user documentation
in the same Markdown parts (``## What it does``, ``## Why is this bad?``, ``## Example``, ``## Use instead``,
``## How to fix``), so ``nnlint explain`` and ``nnlint rules`` print probes too. A probe

* reports symptoms the source could not show (:meth:`Probe.check`, ``run.report(...)``), each finding
  carrying the numbers seen and the threshold used in ``evidence``, and/or
* decides whether a static finding of its own code is real (:meth:`Probe.confirm` returns True, False or
  None for "no evidence either way").

Probes run in nnlint's process and never import torch: they only read the JSON observations.
Thresholds live in ``default_options``; users override them in ``[tool.nnlint.options.<CODE or name>]``.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence

from nnlint.documented import Documented
from nnlint.dynamic.observations import (
    Activation,
    GradEntry,
    LoaderInfo,
    LossEvent,
    OptimizerInfo,
    TensorStats,
    UpdateRatio,
    Where,
)
from nnlint.finding import Finding, Severity, Source


Event = Dict[str, Any]


class RunView:
    """What a probe sees of one dynamic run: the observations of every rank, and a way to report."""

    def __init__(self, script: str, ranks: Sequence[Dict[str, Any]], static_findings: Sequence[Finding] = ()) -> None:
        self.script = os.path.realpath(script)
        self.ranks = list(ranks)
        self.obs: Dict[str, Any] = (self.ranks[0].get("observations") or {}) if self.ranks else {}
        self.static_findings = list(static_findings)
        self.findings: List[Finding] = []
        self.probe: Optional["Probe"] = None

    def get(self, key: str, default: Any = None) -> Any:
        value = self.obs.get(key)
        return default if value is None else value

    # typed views of the most used observations (nnlint.dynamic.observations lists every key)
    @property
    def optimizers(self) -> List["OptimizerInfo"]:
        return list(self.get("optimizers", []))

    @property
    def loaders(self) -> List["LoaderInfo"]:
        return list(self.get("loaders", []))

    @property
    def losses(self) -> List["LossEvent"]:
        return list(self.get("losses", []))

    @property
    def grads(self) -> List["GradEntry"]:
        return list(self.get("grads", []))

    @property
    def update_ratios(self) -> List["UpdateRatio"]:
        return list(self.get("update_ratios", []))

    @property
    def activations(self) -> List["Activation"]:
        return list(self.get("activations", []))

    @property
    def train_inputs(self) -> List["TensorStats"]:
        return list(self.get("train_inputs", []))

    @property
    def step_where(self) -> Optional["Where"]:
        return self.get("step_where")

    @property
    def world_size(self) -> int:
        return len(self.ranks)

    def static_count(self, code: str) -> int:
        return sum(1 for f in self.static_findings if f.code == code)

    def report(self, where: Optional[Sequence[Sequence[Any]]], message: str, evidence: Dict[str, Any]) -> Finding:
        """A dynamic finding at the innermost user frame of ``where`` (the script's first line if unknown)."""
        assert self.probe is not None
        path, line = self.script, 1
        if where:
            path, line = str(where[0][0]), int(where[0][1])
        finding = Finding(
            path=_display_path(path, self.static_findings),
            line=line,
            column=1,
            code=self.probe.code,
            name=self.probe.name,
            message=message,
            severity=self.probe.severity,
            source=Source.DYNAMIC,
            confirmed=True,
            evidence=evidence,
        )
        self.findings.append(finding)
        return finding


def probe_error(run: RunView, probe: object, what: str) -> Finding:
    """The NN002 finding of a probe that failed on this run (``what``: how), at the script's first line."""
    from nnlint.registry import plugin_label

    code, name = getattr(probe, "code", "?"), getattr(probe, "name", "?")
    message = f"{plugin_label(code)}probe {code} ({name}) {what}"
    return Finding(
        path=_display_path(run.script, run.static_findings),
        line=1,
        column=1,
        code="NN002",
        name="rule-error",
        message=message,
        severity=Severity.ERROR,
        source=Source.DYNAMIC,
    )


def _display_path(path: str, static_findings: Sequence[Finding]) -> str:
    """Report paths the way the user spelled them (as the static findings of the same file do)."""
    for finding in static_findings:
        if os.path.realpath(finding.path) == path:
            return finding.path
    try:
        relative = os.path.relpath(path)
        return path if relative.startswith("..") else relative
    except ValueError:
        return path


def at_finding(finding: Finding, events: Iterable[Event], keys: Sequence[str] = ("where", "origin")) -> List[Event]:
    """The events whose user frames (call sites, or where their input was produced) lie on the finding's lines."""
    path = os.path.realpath(finding.path)
    first, last = finding.line, max(finding.end_line or finding.line, finding.line)
    matched = []
    for event in events:
        frames = [frame for key in keys for frame in (event.get(key) or [])]
        if any(os.path.realpath(str(f[0])) == path and first <= int(f[1]) <= last for f in frames):
            matched.append(event)
    return matched


class Probe(Documented):
    """Base class of every runtime probe (subclass it; one probe per code)."""

    def check(self, run: RunView) -> None:
        """Report runtime symptoms with ``run.report(...)``; the default reports nothing."""

    def confirm(self, finding: Finding, run: RunView) -> Optional[bool]:
        """Is the static ``finding`` (same code) real? True, False, or None when the run says nothing."""
        return None

    # -------------------------------------------------------------- helpers for confirm()
    def decide(
        self,
        finding: Finding,
        run: RunView,
        events: Sequence[Event],
        is_bug: Callable[[Event], Optional[bool]],
        keys: Sequence[str] = ("where", "origin"),
    ) -> Optional[bool]:
        """Confirm or refute from the events at the finding's place; if none is there and the run holds only
        this one static finding of the code, from all events of the run (confirm on any, refute on none)."""
        precise = at_finding(finding, events, keys)
        candidates = precise or (list(events) if run.static_count(self.code) == 1 else [])
        verdicts = [is_bug(event) for event in candidates]
        if any(v is True for v in verdicts):
            return True
        if verdicts and all(v is False for v in verdicts):
            return False
        return None


def unexplained(run: RunView, code: str) -> bool:
    """No static finding of ``code`` in this run: run-time evidence of that bug must stand as a finding of its own
    (when there is one, ``confirm`` speaks for the evidence instead, and one finding is enough)."""
    return run.static_count(code) == 0


def fmt(value: Optional[float]) -> str:
    """Numbers for messages: short, scientific when far from 1."""
    if value is None:
        return "n/a"
    if value == 0 or 1e-3 <= abs(value) < 1e4:
        return f"{value:.3g}"
    return f"{value:.2e}"


def training_losses(run: RunView, families: Iterable[str]) -> List[Event]:
    wanted = set(families)
    return [e for e in run.get("losses", []) if e.get("family") in wanted and e.get("phase") != "eval"]


def first_batch_degenerate(run: RunView) -> bool:
    """The first training batch is constant or repeats one sample: per-batch statistics mean nothing."""
    inputs = run.get("train_inputs", [])
    if not inputs:
        return False
    first = inputs[0]
    repeated = run.get("repeated_batch") or {}
    return bool(
        first.get("samples_identical") or first.get("constant") or first.get("all_zero") or repeated.get("identical")
    )


NORM_LAYERS = ("BatchNorm", "LayerNorm", "GroupNorm", "InstanceNorm", "LocalResponseNorm", "RMSNorm")


def input_out_of_scale(run: RunView, options: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """The first layer's input statistics when they are far from zero mean / unit scale (shared by probes)."""
    entry = run.get("first_layer_input")
    if not entry or entry.get("std") is None or str(entry.get("module_type", "")).startswith(NORM_LAYERS):
        return None
    if entry.get("constant") or entry.get("nonfinite"):
        return None
    mean, std = abs(float(entry["mean"])), float(entry["std"])
    if mean > options["max_abs_mean"] or std > options["max_std"] or 0 < std < options["min_std"]:
        return entry
    return None


__all__ = [
    "Probe",
    "RunView",
    "at_finding",
    "first_batch_degenerate",
    "fmt",
    "training_losses",
    "input_out_of_scale",
    "unexplained",
    "Finding",
    "Severity",
]
