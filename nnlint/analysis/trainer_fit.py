"""Loaders handed to a framework trainer's ``fit``: Lightning's ``Trainer.fit(model, train_loader)`` trains on
the loader it is given, though no loop in the file iterates it; and whether that trainer shuffles them itself.

Built only on the public queries of :class:`~nnlint.analysis.model.SemanticModel`.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

import libcst as cst

from nnlint.analysis.distributed_sampling import shuffles_training_data
from nnlint.analysis.loaders import loader_object
from nnlint.analysis.model import CallInfo, ClassInfo, Obj, Scope, SemanticModel
from nnlint.analysis.values import through_assignments

_TRAINERS = frozenset(
    {"pytorch_lightning.Trainer", "pytorch_lightning.trainer.Trainer", "pytorch_lightning.trainer.trainer.Trainer"}
)
# Trainer.fit(model, train_dataloaders=None, val_dataloaders=None, datamodule=None, ...); before 1.4 `train_dataloader`
_TRAIN_POSITION = 1
_TRAIN_KEYWORDS = ("train_dataloaders", "train_dataloader")
_MAX_HOPS = 4


def trainer_call(
    model: SemanticModel, expr: Optional[cst.BaseExpression], scope: Scope
) -> Optional[Tuple[cst.Call, Scope]]:
    """The ``pl.Trainer(...)`` call an expression is, or a name (a few assignments deep) is bound to."""
    found = through_assignments(model, expr, scope, _MAX_HOPS)
    if found is None or not isinstance(found[0], cst.Call):
        return None
    call, scope = found[0], found[1]
    return (call, scope) if model.callee_qualname(call, scope) in _TRAINERS else None


def _is_trainer(model: SemanticModel, expr: Optional[cst.BaseExpression], scope: Scope) -> bool:
    return trainer_call(model, expr, scope) is not None


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


def fit_shuffles_training_data(model: SemanticModel, fit: CallInfo) -> bool:
    """Whether the trainer of a ``trainer.fit(...)`` call runs distributed and so shuffles its training
    loaders itself (:mod:`~nnlint.analysis.distributed_sampling`)."""
    found = trainer_call(model, fit.receiver, fit.scope)
    return found is not None and shuffles_training_data(model, *found)


def hooks_shuffled_by_trainers(model: SemanticModel, cls: ClassInfo) -> bool:
    """Whether the ``train_dataloader`` hook of ``cls`` (a LightningModule or LightningDataModule) is only
    trained on by trainers of this file that shuffle it: every ``fit`` given an instance of the class
    (or of a subclass) as its model or data module runs distributed, and there is at least one."""
    fits = [call for call in model.calls_named("fit") if _fits_instance_of(model, call, cls)]
    return bool(fits) and all(fit_shuffles_training_data(model, fit) for fit in fits)


def _fits_instance_of(model: SemanticModel, call: CallInfo, cls: ClassInfo) -> bool:
    if not _is_trainer(model, call.receiver, call.scope):
        return False
    passed = [model.argument(call.node, 0, "model")] + [
        model.argument(call.node, position, keyword)
        for position, keyword in ((1, _TRAIN_KEYWORDS[0]), (3, "datamodule"))
    ]
    for expr in passed:
        if expr is None:
            continue
        obj = model.object_of(expr, call.scope)
        if obj.cls is not None and _derives(model, obj.cls, cls):
            return True
    return False


def _derives(model: SemanticModel, sub: ClassInfo, cls: ClassInfo, depth: int = 0) -> bool:
    if sub is cls:
        return True
    return depth < _MAX_HOPS and any(_derives(model, base, cls, depth + 1) for base in model.base_classes(sub))
