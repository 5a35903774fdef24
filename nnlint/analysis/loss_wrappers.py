"""Losses written by the user around a library loss: a module whose ``forward`` (or a function) hands
its prediction parameter, unchanged or only reshaped (or packed with its complement,
``torch.cat([1 - p, p], 1)``), to ``F.binary_cross_entropy_with_logits``,
``nn.NLLLoss()`` and the like. Calling such a wrapper computes that loss on what the caller passes::

    class FocalLoss(nn.Module):
        def forward(self, inputs, targets):
            bce = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
            return ((1 - torch.exp(-bce)) ** 2 * bce).mean()

    loss = FocalLoss()(torch.sigmoid(logits), y)   # a sigmoid into BCE-with-logits, one call away

A helper computing ``nn.BCELoss()(torch.sigmoid(input), target)`` applies the sigmoid itself too: its
family is ``sigmoid_bce``, and a sigmoid output given to it is squashed twice.

Built only on the public API of :class:`~nnlint.analysis.model.SemanticModel`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from nnlint.analysis import torch_api as api
from nnlint.analysis.choices import object_choices
from nnlint.analysis.model import FunctionInfo, Obj, Scope, SemanticModel
from nnlint.analysis.item_tails import Key, literal_key
from nnlint.analysis.packed_tails import PACKERS

Slot = Tuple[Optional[int], Optional[str]]  # (position, keyword) of a parameter at a call site

_MAX_WRAPPER_DEPTH = 3
SIGMOID_BCE = "sigmoid_bce"  # the family of a user loss computing BCELoss on the sigmoid of its input


@dataclass(frozen=True)
class WrappedLoss:
    family: str  # the library loss's family (torch_api.LOSS_* families)
    qualname: str  # the library loss inside, e.g. torch.nn.functional.binary_cross_entropy_with_logits
    wrapper: str  # the user's class or function name
    prediction: Slot
    target: Slot
    # the item of the argument the library loss gets (``output["exist"]``, ``segin, edgein = inputs``)
    prediction_key: Optional[Key] = None
    target_key: Optional[Key] = None
    # one configuration's loss: the callee holds another object on the code's own order of bindings
    # (``object_of``), this one where a configuration picks another branch (see analysis/choices.py)
    chosen: bool = False


Source = Tuple[str, Optional[Key]]  # a parameter, and the item of it an expression carries (None: all of it)


def wrapped_losses(model: SemanticModel, call: cst.Call, scope: Scope) -> List[WrappedLoss]:
    """The library losses a call of a user loss module or loss function computes on its arguments: one,
    or one per part of its input (``F.cross_entropy(output["seg"], ...)`` and
    ``F.binary_cross_entropy_with_logits(output["exist"], ...)``)."""
    obj = model.called_object(call, scope)
    return _called_losses(model, call, scope, obj) + _chosen_losses(model, call, scope, obj)


def _called_losses(model: SemanticModel, call: cst.Call, scope: Scope, obj: Obj) -> List[WrappedLoss]:
    func: Optional[FunctionInfo] = None
    if obj.cls is not None and obj.owner is not None:
        func = obj.owner.method_of(obj.cls, "forward")
        name = obj.cls.name
    elif obj.kind == "unknown":
        func = model.resolve_function(call.func, scope)
        name = func.name if func is not None else ""
    if func is None:
        return []
    owner = func.cls.owner if func.cls is not None else model.owner_of(func)
    if owner is None or (func.cls is None and owner is model):
        return []  # a loss function of this file: its parameters are bound to this file's calls already
    return [replace(inner, wrapper=name) for inner in _losses_inside(owner, func, 0)]


def _chosen_losses(model: SemanticModel, call: cst.Call, scope: Scope, obj: Obj) -> List[WrappedLoss]:
    """The losses of the other user loss modules the callee may hold, one configuration each (``criterion``
    built in one branch of ``get_loss`` as ``JointEdgeSegLoss``, in another as ``CrossEntropyLoss2d``)."""
    callee = call.func
    if isinstance(callee, cst.Attribute) and callee.attr.value in ("forward", "__call__"):
        callee = callee.value
    if not isinstance(callee, (cst.Name, cst.Attribute)):
        return []
    found: List[WrappedLoss] = []
    for choice in object_choices(model, callee, scope):
        if choice.cls is None or choice.cls is obj.cls or not choice.cls.owner.is_module_class(choice.cls):
            continue
        forward = choice.cls.owner.method_of(choice.cls, "forward")
        owner = forward.cls.owner if forward is not None and forward.cls is not None else None
        if forward is None or owner is None:
            continue
        found.extend(
            replace(inner, wrapper=choice.cls.name, chosen=True) for inner in _losses_inside(owner, forward, 0)
        )
    return found


def wraps_library_loss(model: SemanticModel, func: FunctionInfo) -> bool:
    """Whether a function (a loss module's ``forward``) hands its prediction to a library loss: what callers
    give it is judged at their call (``criterion(torch.sigmoid(out), y)``), not inside it."""
    return bool(_losses_inside(model, func, 0))


def _losses_inside(model: SemanticModel, func: FunctionInfo, depth: int) -> Tuple[WrappedLoss, ...]:
    cache: Dict[int, Tuple[WrappedLoss, ...]] = model.cached_analysis("wrapped-losses", dict)
    key = id(func.node)
    if key in cache:
        return cache[key]
    cache[key] = ()  # recursion guard
    found: Dict[Source, Set[Tuple[str, str, Optional[Source]]]] = {}
    for inner in func.calls:
        kind = model.loss_kind(inner.node, inner.scope)
        if kind is not None:
            computed = [
                (
                    kind[0],
                    kind[1],
                    _source(model, model.argument(inner.node, 0, "input"), inner.scope, func),
                    _source(model, model.argument(inner.node, 1, "target"), inner.scope, func),
                    model.argument(inner.node, 0, "input"),
                )
            ]
        elif depth < _MAX_WRAPPER_DEPTH:
            computed = [
                (
                    nested.family,
                    nested.qualname,
                    _item_source(model, inner.node, nested.prediction, nested.prediction_key, inner.scope, func),
                    _item_source(model, inner.node, nested.target, nested.target_key, inner.scope, func),
                    None,
                )
                for nested in _nested_wrappers(model, inner.node, inner.scope, depth + 1)
            ]
        else:
            continue
        for family, qualname, source, target, prediction in computed:
            if source is None and family == "bce" and prediction is not None:
                # `nn.BCELoss()(torch.sigmoid(input), target)`: the helper applies the sigmoid itself, as a
                # with-logits loss does
                source = _source(model, sigmoid_input(model, prediction, inner.scope), inner.scope, func)
                family = SIGMOID_BCE if source is not None else family
            if source is not None:
                found.setdefault(source, set()).add((family, qualname, target))
    result: List[WrappedLoss] = []
    for (param, item), losses in found.items():
        if len({(family, qualname) for family, qualname, _ in losses}) != 1:
            continue  # several losses of one input: which one runs depends on the arguments
        family, qualname, target = next(iter(losses))
        target_slot: Slot = (func.param_index(target[0]), target[0]) if target else (None, None)
        result.append(
            WrappedLoss(
                family,
                qualname,
                func.name,
                (func.param_index(param), param),
                target_slot,
                item,
                target[1] if target else None,
            )
        )
    cache[key] = tuple(result)
    return cache[key]


def _item_source(
    model: SemanticModel, call: cst.Call, slot: Slot, item: Optional[Key], scope: Scope, func: FunctionInfo
) -> Optional[Source]:
    """What a nested wrapper's argument carries of ``func``'s parameters (and of which item)."""
    source = _source(model, model.argument(call, *slot), scope, func)
    if source is None or item is None:
        return source
    return (source[0], item) if source[1] is None else None  # an item of an item: not followed


def sigmoid_input(
    model: SemanticModel, expr: Optional[cst.BaseExpression], scope: Scope, depth: int = 0
) -> Optional[cst.BaseExpression]:
    """``x`` where an expression is ``torch.sigmoid(x)``, ``x.sigmoid()`` or an ``nn.Sigmoid`` module's call
    (directly or through a local name bound to it); None otherwise."""
    if expr is None or depth > 4:
        return None
    if isinstance(expr, cst.Name):
        binding = model.lookup(expr.value, scope, model.order.get(expr))
        if binding is None or binding.kind != "assign" or binding.index is not None or binding.scope is not scope:
            return None
        return sigmoid_input(model, binding.value, scope, depth + 1)
    if not isinstance(expr, cst.Call):
        return None
    func = expr.func
    if api.ACTIVATION_FUNCTIONS.get(model.callee_qualname(expr, scope) or "") == "sigmoid":
        return model.argument(expr, 0, "input")
    if isinstance(func, cst.Attribute) and func.attr.value == "sigmoid" and model.qualname(func, scope) is None:
        if model.object_of(func.value, scope).kind == "unknown" and model.object_of(func, scope).kind == "unknown":
            return func.value  # the tensor method
    obj = model.called_object(expr, scope)
    if obj.kind == "layer" and api.ACTIVATION_CLASSES.get(obj.qualname or "") == "sigmoid":
        return model.argument(expr, 0, "input")
    return None


def _nested_wrappers(model: SemanticModel, call: cst.Call, scope: Scope, depth: int) -> Tuple[WrappedLoss, ...]:
    target = model.resolve_function(call.func, scope)
    if target is None:
        obj = model.called_object(call, scope)
        if obj.cls is None or obj.owner is None:
            return ()
        target = obj.owner.method_of(obj.cls, "forward")
        if target is None:
            return ()
    owner = target.cls.owner if target.cls is not None else model.owner_of(target)
    return _losses_inside(owner, target, depth) if owner is not None else ()


def _source(
    model: SemanticModel, expr: Optional[cst.BaseExpression], scope: Scope, func: FunctionInfo
) -> Optional[Source]:
    """The parameter of ``func`` (and its item) an expression carries: ``logits.view(-1)``,
    ``output["exist"]``, ``edgein`` of ``segin, edgein = inputs``."""
    if isinstance(expr, cst.Subscript):
        item = literal_key(expr)
        param = _source_parameter(model, expr.value, scope, func) if item is not None else None
        return (param, item) if param is not None else None
    if isinstance(expr, cst.Name):
        binding = model.lookup(expr.value, scope, model.order.get(expr))
        if (
            binding is not None
            and binding.kind == "unpack"
            and binding.scope is func.scope
            and binding.index is not None
            and len(binding.index) == 1
            and isinstance(binding.value, cst.Name)
        ):
            param = _source_parameter(model, binding.value, scope, func)
            return (param, binding.index[0]) if param is not None else None
    param = _source_parameter(model, expr, scope, func)
    return (param, None) if param is not None else None


def _source_parameter(
    model: SemanticModel, expr: Optional[cst.BaseExpression], scope: Scope, func: FunctionInfo, depth: int = 0
) -> Optional[str]:
    """The parameter of ``func`` whose values an expression carries unchanged (through names and reshapes)."""
    if expr is None or depth > 8:
        return None
    if isinstance(expr, cst.Name):
        binding = model.lookup(expr.value, scope, model.order.get(expr))
        if binding is None or binding.scope is not func.scope:
            return None
        if binding.kind == "param":
            return None if expr.value == func.instance_param else expr.value
        if binding.kind in ("assign", "annassign") and binding.index is None:
            return _source_parameter(model, binding.value, binding.scope, func, depth + 1)
        return None
    if isinstance(expr, cst.Call):
        callee = expr.func
        if (
            isinstance(callee, cst.Attribute)
            and callee.attr.value in api.PASS_THROUGH_METHODS
            and model.qualname(callee, scope) is None
        ):
            return _source_parameter(model, callee.value, scope, func, depth + 1)
        qualname = model.callee_qualname(expr, scope)
        if qualname in api.PASS_THROUGH_FUNCTIONS:
            return _source_parameter(model, model.argument(expr, 0, "input"), scope, func, depth + 1)
        if qualname in PACKERS:
            return _packed_parameter(model, model.argument(expr, 0, "tensors"), scope, func, depth + 1)
    return None


def _packed_parameter(
    model: SemanticModel, parts: Optional[cst.BaseExpression], scope: Scope, func: FunctionInfo, depth: int
) -> Optional[str]:
    """The parameter every part of a ``torch.cat``/``torch.stack`` carries, itself or as its complement
    (``torch.cat([1 - p, p], 1)``: a probability's complement is one too)."""
    if not isinstance(parts, (cst.List, cst.Tuple)) or not parts.elements:
        return None
    found: Set[Optional[str]] = set()
    for element in parts.elements:
        if isinstance(element, cst.StarredElement):
            return None
        value = element.value
        if (
            isinstance(value, cst.BinaryOperation)
            and isinstance(value.operator, cst.Subtract)
            and model.number(value.left, scope) is not None
        ):
            value = value.right
        found.add(_source_parameter(model, value, scope, func, depth + 1))
    return next(iter(found)) if len(found) == 1 else None
