"""Evaluation helpers of this file run by other files of the project with a model in training mode.

``metrics.py`` holds ``estimate_loss(model, loaders)`` (a forward-only loop under ``inference_mode``);
``train.py`` calls it every few hundred steps with a model that is still in training mode. Linting
``train.py`` reports the call (the caller's analysis knows the mode); linting ``metrics.py`` alone must
say so too, at the forward the model runs in: its own analysis starts the helper from an unknown state,
so the mode comes from the callers' analyses (each caller file's ``helper_evaluations``).
Built only on the public queries of the semantic and mode analyses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List

import libcst as cst

from nnlint.analysis.model import CallInfo, SemanticModel
from nnlint.analysis.modes import TRAIN, ForwardUse, mode_analysis


@dataclass(frozen=True)
class ForeignEvaluation:
    """A forward of this file, evaluated in training mode because a caller in another file passes such a model."""

    forward: CallInfo
    caller: SemanticModel
    call: cst.Call
    use: ForwardUse


def evaluated_in_training_mode_by_callers(model: SemanticModel) -> List[ForeignEvaluation]:
    """The forwards of this file's helpers (functions no code of this file calls) that a caller of
    another file runs with a Dropout/BatchNorm model in training mode, one per forward."""
    found: List[ForeignEvaluation] = []
    seen: set = set()
    for func in model.functions:
        if func.cls is not None or model.callers(func):
            continue
        for caller, call in model.foreign_callers(func):
            analysis = mode_analysis(caller)
            use = analysis.helper_evaluations.get(call.node)
            forward_of = analysis.helper_forwards.get(call.node)
            if use is None or forward_of is None or forward_of[0] is not model:
                continue
            forward = forward_of[1]
            if TRAIN not in use.modes or id(forward.node) in seen:
                continue
            if not caller.has_mode_dependent_layers(use.model):
                continue
            seen.add(id(forward.node))
            found.append(ForeignEvaluation(forward, caller, call.node, use))
    return found
