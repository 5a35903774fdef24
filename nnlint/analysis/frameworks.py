"""Training frameworks that take the model and the loss as arguments and run the loop themselves.

skorch and the libraries built on it (``NeuralNet(module, criterion=nn.CrossEntropyLoss)``,
``NeuralNetClassifier``, ``EEGClassifier``, ray-skorch's ``RayTrainNeuralNet``) compute
``criterion(module(X), y)`` in their own training step: the module's output reaches the loss although
no line of the user's code shows it. ignite's ``create_supervised_trainer(model, optimizer, loss_fn)`` does
the same.

Built only on the public API of :class:`~nnlint.analysis.model.SemanticModel`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional

import libcst as cst

from nnlint.analysis import torch_api as api
from nnlint.analysis.model import CallInfo, Obj, SemanticModel


@dataclass(frozen=True)
class FrameworkLoss:
    call: CallInfo  # the framework's constructor call
    module: Obj  # the model it trains
    family: str  # the loss family (torch_api.LOSS_* families)
    qualname: str  # the loss class

    @property
    def short_name(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]


# ignite's factories -> (position, keyword) of the model and of the loss they are given
_IGNITE_TRAINERS = {
    "ignite.engine.create_supervised_trainer": ((0, "model"), (2, "loss_fn")),
    "ignite.engine.supervised_training_step": ((0, "model"), (2, "loss_fn")),
    "ignite.engine.supervised_training_step_amp": ((0, "model"), (2, "loss_fn")),
}


def framework_losses(model: SemanticModel) -> Iterator[FrameworkLoss]:
    """Constructor calls of a framework out of sight that are given a module (class or instance, first or as
    ``module=``) and a library loss as ``criterion=`` (class or instance); ignite's
    ``create_supervised_trainer(model, optimizer, loss_fn)``, which computes ``loss_fn(model(x), y)``."""
    for call in model.calls:
        ignite = _IGNITE_TRAINERS.get(model.callee_qualname(call.node, call.scope) or "")
        if ignite is not None:
            (model_at, model_keyword), (loss_at, loss_keyword) = ignite
            module_expr, criterion = (
                model.argument(call.node, model_at, model_keyword),
                model.argument(call.node, loss_at, loss_keyword),
            )
        elif model.has_keyword(call.node, "criterion"):
            if (
                model.resolve_function(call.node.func, call.scope) is not None
                or model.resolve_class(call.node.func, call.scope) is not None
            ):
                continue  # the user's own trainer: followed by the other analyses
            module_expr, criterion = (
                model.argument(call.node, 0, "module"),
                model.argument(call.node, None, "criterion"),
            )
        else:
            continue
        qualname = _loss_class(model, criterion, call)
        if qualname is None:
            continue
        module = _module_of(model, module_expr, call)
        if module is None:
            continue
        yield FrameworkLoss(call, module, api.LOSS_CLASSES[qualname], qualname)


def _loss_class(model: SemanticModel, expr: Optional[cst.BaseExpression], call: CallInfo) -> Optional[str]:
    if expr is None:
        return None
    qualname = model.qualname(expr, call.scope)
    if qualname in api.LOSS_CLASSES:
        return qualname  # `criterion=nn.CrossEntropyLoss`
    obj = model.object_of(expr, call.scope)
    return obj.qualname if obj.kind == "loss" and obj.qualname in api.LOSS_CLASSES else None


def _module_of(model: SemanticModel, expr: Optional[cst.BaseExpression], call: CallInfo) -> Optional[Obj]:
    if expr is None:
        return None
    cls = model.resolve_class(expr, call.scope)
    if cls is not None:
        return Obj("model", None, None, cls, cls.owner, call.scope) if cls.owner.is_module_class(cls) else None
    obj = model.object_of(expr, call.scope)
    return obj if obj.kind == "model" else None
