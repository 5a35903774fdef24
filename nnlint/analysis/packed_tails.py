"""Tails of activations packed into one tensor and taken apart again by slicing.

Detection heads concatenate their outputs along the last axis:
``pred = torch.cat([box, torch.sigmoid(conf), torch.sigmoid(cls)], dim=-1)``, and the loss slices them
back out: ``bce(pred[..., 4:], target)``. The slice holds sigmoid outputs when every part it covers is
one: the parts' widths along the last axis are known from their own literal slices (``raw[..., 4:5]``
is one wide, ``raw[..., 5:]`` runs to the end) and the slice's bounds are literal. Anything less certain
(a part of unknown width before the slice, a bound that is a variable, another axis, a reshape on the
way) gives no answer: the tail stays unknown and the rules stay silent.

``torch.stack([...], dim=-1)`` makes one new last axis whose every index is one part; a
``torch.cat``/``torch.stack`` all of whose parts end in the same activation has that tail whatever is
taken from it.

Built only on the public queries of :class:`~nnlint.analysis.model.SemanticModel`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, List, Optional, Tuple

import libcst as cst

from nnlint.analysis.symbols import _MAX_DEPTH, UNKNOWN_TAIL, Scope, Tail

if TYPE_CHECKING:
    from nnlint.analysis.model import SemanticModel

PACKERS = {"torch.cat": "cat", "torch.concat": "cat", "torch.concatenate": "cat", "torch.stack": "stack"}
# methods that keep every element where it is (a reshape could move the last axis)
_KEEPING_METHODS = frozenset({"clone", "contiguous", "float", "double", "half", "to", "cuda", "cpu"})


@dataclass(frozen=True)
class _Part:
    expr: cst.BaseExpression
    scope: Scope
    owner: "SemanticModel"
    width: Optional[int]  # along the last axis; None: unknown (or to the end of the tensor)


def packed_tail(model: "SemanticModel", call: cst.Call, scope: Scope, training: bool, depth: int) -> Tail:
    """The tail of ``torch.cat``/``torch.stack`` along the last axis: the parts' shared tail, if any."""
    parts = _pack(model, call, scope)
    if parts is None:
        return UNKNOWN_TAIL
    return _shared_tail([p for _, p in parts], training, depth)


def sliced_tail(model: "SemanticModel", subscript: cst.Subscript, scope: Scope, training: bool, depth: int) -> Tail:
    """The tail of ``packed[..., a:b]`` / ``packed[..., k]`` when the selection covers parts that all end in
    the same activation (``packed`` a last-axis ``torch.cat``/``torch.stack``, through names and a
    model's or function's single return)."""
    selection = _last_axis_selection(subscript)
    if selection is None or depth > _MAX_DEPTH:
        return UNKNOWN_TAIL
    found = _packed_value(model, subscript.value, scope, depth + 1)
    if found is None:
        return UNKNOWN_TAIL
    kind, parts = found
    start, stop, index = selection
    if kind == "stack":
        if index is None or not 0 <= index < len(parts):
            return UNKNOWN_TAIL  # a range of a stacked axis: several parts side by side, silent
        return _shared_tail([parts[index]], training, depth)
    if index is not None:
        start, stop = index, index + 1
    covered: List[_Part] = []
    offset = 0
    for number, part in enumerate(parts):
        if part.width is None and number < len(parts) - 1:
            if stop is not None and stop <= offset:
                break  # the selection ends before this part of unknown width
            return UNKNOWN_TAIL  # where the next parts start is unknown
        end = None if part.width is None else offset + part.width
        if (end is None or end > start) and (stop is None or offset < stop):
            covered.append(part)
        if end is None:
            break  # the last part runs to the end
        offset = end
    else:
        if start >= offset or (stop is not None and stop > offset):
            return UNKNOWN_TAIL  # beyond the known parts: the widths are not what they seem
    if not covered:
        return UNKNOWN_TAIL
    return _shared_tail(covered, training, depth)


def _shared_tail(parts: List[_Part], training: bool, depth: int) -> Tail:
    tails = [part.owner.tail_of(part.expr, part.scope, training, depth + 1) for part in parts]
    kinds = {tail.kind for tail in tails}
    if len(kinds) != 1 or tails[0].kind in ("unknown", "linear", "model", "identity"):
        return UNKNOWN_TAIL
    return replace(tails[0], packed=True)


def _last_axis_selection(subscript: cst.Subscript) -> Optional[Tuple[int, Optional[int], Optional[int]]]:
    """(start, stop, index) of ``x[..., a:b]`` / ``x[..., k]`` with literal non-negative bounds."""
    elements = subscript.slice
    if len(elements) != 2 or not isinstance(elements[0].slice, cst.Index):
        return None
    if not isinstance(elements[0].slice.value, cst.Ellipsis):
        return None
    selector = elements[1].slice
    if isinstance(selector, cst.Index):
        index = _literal(selector.value)
        return None if index is None else (index, index + 1, index)
    if not isinstance(selector, cst.Slice) or selector.step is not None:
        return None
    start = 0 if selector.lower is None else _literal(selector.lower)
    stop = None if selector.upper is None else _literal(selector.upper)
    if start is None or (selector.upper is not None and stop is None):
        return None
    return start, stop, None


def _literal(expr: cst.BaseExpression) -> Optional[int]:
    if isinstance(expr, cst.Integer):
        return int(expr.evaluated_value)
    return None


def _packed_value(
    model: "SemanticModel", expr: cst.BaseExpression, scope: Scope, depth: int
) -> Optional[Tuple[str, List[_Part]]]:
    """The last-axis pack an expression holds: itself, a name bound to one, a method that keeps the
    layout, or the single return of the model's forward / the function it calls."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(expr, cst.Name):
        binding = model.reaching_value(expr, scope)
        if binding is not None and binding.kind == "param" and binding.scope.function is not None:
            # `def loss(pred, target)`: the pack every caller passes (one and the same, or no answer)
            passed = model.passed_arguments(binding.scope.function, binding.name)
            found = [_packed_value(owner, arg, arg_scope, depth + 1) for arg, arg_scope, owner in passed]
            first = found[0] if found else None
            if first is None or any(f is None or [p.expr for p in f[1]] != [p.expr for p in first[1]] for f in found):
                return None
            return first
        if binding is None or binding.kind not in ("assign", "annassign") or binding.index is not None:
            return None
        return _packed_value(model, binding.value, binding.scope, depth + 1) if binding.value is not None else None
    if not isinstance(expr, cst.Call):
        return None
    packed = _pack(model, expr, scope)
    if packed is not None:
        return packed[0][0], [p for _, p in packed]
    func = expr.func
    if (
        isinstance(func, cst.Attribute)
        and func.attr.value in _KEEPING_METHODS
        and model.callee_qualname(expr, scope) is None
    ):
        return _packed_value(model, func.value, scope, depth + 1)
    obj = model.called_object(expr, scope)
    target = None
    if obj.kind == "model" and obj.cls is not None:
        target = (obj.owner or model).method_of(obj.cls, "forward")
    elif obj.kind == "unknown":
        target = model.resolve_function(func, scope)
    if target is None:
        return None
    owner = target.cls.owner if target.cls is not None else model.owner_of(target)
    if owner is None or len(target.returns) != 1 or target.returns[0].value is None:
        return None
    return _packed_value(owner, target.returns[0].value, target.scope, depth + 1)


def _pack(model: "SemanticModel", call: cst.Call, scope: Scope) -> Optional[List[Tuple[str, _Part]]]:
    """``torch.cat([a, b, c], dim=-1)`` / ``torch.stack(..., -1)``: its parts, each with its width."""
    kind = PACKERS.get(model.callee_qualname(call, scope) or "")
    if kind is None:
        return None
    dim = model.argument(call, 1, "dim")
    if not (
        isinstance(dim, cst.UnaryOperation) and isinstance(dim.operator, cst.Minus) and _literal(dim.expression) == 1
    ):
        return None  # only the last axis: the slices that take the parts apart name it as `...,`
    listed = model.argument(call, 0, "tensors")
    if not isinstance(listed, (cst.List, cst.Tuple)) or any(isinstance(e, cst.StarredElement) for e in listed.elements):
        return None
    parts = [
        (kind, _Part(e.value, scope, model, 1 if kind == "stack" else _width(model, e.value, scope, 0)))
        for e in listed.elements
    ]
    return parts or None


def _width(model: "SemanticModel", expr: cst.BaseExpression, scope: Scope, depth: int) -> Optional[int]:
    """The width along the last axis, where literal slices show it (``raw[..., 4:5]``: 1)."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(expr, cst.Name):
        binding = model.reaching_value(expr, scope)
        if binding is None or binding.kind not in ("assign", "annassign") or binding.index is not None:
            return None
        return _width(model, binding.value, binding.scope, depth + 1) if binding.value is not None else None
    if isinstance(expr, cst.Subscript):
        selection = _last_axis_selection(expr)
        if selection is None:
            return None
        start, stop, index = selection
        if stop is None or index is not None:
            return None  # to the end (width unknown here); an index drops the axis
        return max(stop - start, 0)
    if isinstance(expr, cst.Call):
        packed = _pack(model, expr, scope)
        if packed is not None:
            widths = [part.width for _, part in packed]
            if packed[0][0] == "cat" and all(w is not None for w in widths):
                return sum(w for w in widths if w is not None)
            return None
        qualname = model.callee_qualname(expr, scope)
        if qualname in _ELEMENTWISE and expr.args:
            return _width(model, expr.args[0].value, scope, depth + 1)
        func = expr.func
        if isinstance(func, cst.Attribute) and qualname is None and func.attr.value in _ELEMENTWISE_METHODS:
            return _width(model, func.value, scope, depth + 1)
    return None


_ELEMENTWISE = frozenset(
    {
        "torch.sigmoid",
        "torch.nn.functional.sigmoid",
        "torch.tanh",
        "torch.nn.functional.tanh",
        "torch.exp",
        "torch.relu",
        "torch.nn.functional.relu",
        "torch.nn.functional.softplus",
        "torch.softmax",
        "torch.nn.functional.softmax",
        "torch.log_softmax",
        "torch.nn.functional.log_softmax",
    }
)
_ELEMENTWISE_METHODS = frozenset(
    {"sigmoid", "tanh", "exp", "relu", "softmax", "log_softmax", "clone", "contiguous", "float"}
)
