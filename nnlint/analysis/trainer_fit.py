"""Loaders handed to a framework trainer's ``fit``: Lightning's ``Trainer.fit(model, train_loader)`` trains on
the loader it is given, though no loop in the file iterates it.

Built only on the public queries of :class:`~nnlint.analysis.model.SemanticModel`.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

import libcst as cst

from nnlint.analysis.loaders import loader_object
from nnlint.analysis.model import CallInfo, Obj, Scope, SemanticModel

_TRAINERS = frozenset(
    {"pytorch_lightning.Trainer", "pytorch_lightning.trainer.Trainer", "pytorch_lightning.trainer.trainer.Trainer"}
)
# Trainer.fit(model, train_dataloaders=None, val_dataloaders=None, datamodule=None, ...); before 1.4 `train_dataloader`
_TRAIN_POSITION = 1
_TRAIN_KEYWORDS = ("train_dataloaders", "train_dataloader")
_MAX_HOPS = 4


def _is_trainer(model: SemanticModel, expr: Optional[cst.BaseExpression], scope: Scope) -> bool:
    """``pl.Trainer(...)`` itself, or a name (a few assignments deep) bound to one."""
    for _ in range(_MAX_HOPS):
        if isinstance(expr, cst.Call):
            return model.callee_qualname(expr, scope) in _TRAINERS
        if not isinstance(expr, cst.Name):
            return False
        binding = model.reaching_value(expr, scope)
        if binding is None or binding.kind not in ("assign", "annassign") or binding.index is not None:
            return False
        expr, scope = binding.value, binding.scope
    return False


def fitted_train_loaders(model: SemanticModel) -> List[Tuple[CallInfo, Obj, cst.BaseExpression]]:
    """(the ``fit`` call, the loader object, the expression passed) for each loader a Lightning trainer is
    told to train on."""
    found: List[Tuple[CallInfo, Obj, cst.BaseExpression]] = []
    for call in model.calls_named("fit"):
        if not _is_trainer(model, call.receiver, call.scope):
            continue
        passed = model.argument(call.node, _TRAIN_POSITION, _TRAIN_KEYWORDS[0]) or model.argument(
            call.node, None, _TRAIN_KEYWORDS[1]
        )
        if passed is None:
            continue
        obj = loader_object(model, passed, call.scope)
        if obj.kind == "loader":
            found.append((call, obj, passed))
    return found


def fitted_models(model: SemanticModel, trainer: cst.Call) -> List[Obj]:
    """The model objects a Lightning trainer built by ``trainer`` (``Trainer(...)``) is told to fit."""
    found: List[Obj] = []
    for call in model.calls_named("fit"):
        receiver = call.receiver
        if isinstance(receiver, cst.Name):
            binding = model.reaching_value(receiver, call.scope)
            if binding is None or binding.value is not trainer:
                continue
        elif receiver is not trainer:
            continue
        passed = model.argument(call.node, 0, "model")
        obj = model.object_of(passed, call.scope) if passed is not None else None
        if obj is None or obj.kind == "unknown":
            return []
        found.append(obj)
    return found
