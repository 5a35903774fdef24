"""The size an expression gives an axis (``Linear(h, action_dim)``, ``view(-1, 1)``): a literal, a named
:class:`~nnlint.analysis.dims.Size`, or unknown.

A named size is "known not to be 1" only when it is a *parameter* (of a function or a constructor) that
every visible call site, and its default, feed something other than 1: a width a reusable component is
built with, which the code must handle for every value. A size read off a tensor (``y.size(1)``) or a
local name is just unknown: data decides it, and it is 1 as often as not.
"""

from __future__ import annotations

from typing import FrozenSet, Optional, Set

import libcst as cst

from nnlint.analysis.dims import Dim, Size
from nnlint.analysis.model import Binding, Scope, SemanticModel
from nnlint.analysis.values import self_attribute_values

_MAX_DEPTH = 6
_RUNTIME = "runtime"  # a value computed when the program runs (an attribute read, a call, a shape)
_UNKNOWN = "unknown"  # a value nothing visible supplies (a parameter without call sites or default)


def size_of(model: SemanticModel, expr: Optional[cst.BaseExpression], scope: Scope, depth: int = 0) -> Dim:
    """The axis size an expression denotes (``-1`` and anything unreadable: None)."""
    if expr is None or depth > _MAX_DEPTH:
        return None
    number = model.number(expr, scope)
    if number is not None:
        return int(number) if number >= 0 and number == int(number) else None
    if isinstance(expr, cst.Name):
        binding = model.reaching_value(expr, scope)
        if binding is None:
            return None
        element = _assigned_value(binding)
        if element is not None:
            inner = size_of(model, element, binding.scope, depth + 1)
            return inner if inner is not None else Size(("name", id(binding)), expr.value, False)
        if binding.kind == "param":
            values = _param_values(model, binding, depth + 1)
            literals = {v for v in values if isinstance(v, int)}
            if len(values) == 1 and literals:
                return literals.pop()
            return Size(("param", id(binding)), expr.value, bool(values) and not values & {1, _UNKNOWN})
        return Size(("name", id(binding)), expr.value, False)
    if isinstance(expr, cst.Attribute):
        assigned = self_attribute_values(model, expr, scope)
        if len(assigned) == 1:
            value, value_scope, owner = assigned[0]
            return size_of(owner, value, value_scope, depth + 1)
    return None


def _assigned_value(binding: Binding) -> Optional[cst.BaseExpression]:
    """What an assignment gave a name: ``k = 3``, or ``3`` for ``h, k = 64, 3``."""
    if binding.kind not in ("assign", "annassign", "unpack") or binding.value is None:
        return None
    if binding.index is None:
        return binding.value
    value = binding.value
    for position in binding.index:
        if not isinstance(value, (cst.Tuple, cst.List)) or position >= len(value.elements):
            return None
        if any(isinstance(e, cst.StarredElement) for e in value.elements[: position + 1]):
            return None
        value = value.elements[position].value
    return value


def _param_values(model: SemanticModel, binding: Binding, depth: int) -> FrozenSet[object]:
    """What a parameter may hold: literal ints, ``_RUNTIME`` and ``_UNKNOWN`` markers."""
    func = binding.scope.function
    if func is None or depth > _MAX_DEPTH:
        return frozenset({_UNKNOWN})
    owner = model.owner_of(func) or model
    found: Set[object] = set()
    if binding.value is not None:
        found |= _values(owner, binding.value, func.outer, depth + 1)
    sites = owner.passed_arguments(func, binding.name)
    for arg, arg_scope, site_model in sites:
        found |= _values(site_model, arg, arg_scope, depth + 1)
    if not sites and binding.value is None:
        found.add(_UNKNOWN)
    return frozenset(found)


def _values(model: SemanticModel, expr: cst.BaseExpression, scope: Scope, depth: int) -> FrozenSet[object]:
    if depth > _MAX_DEPTH:
        return frozenset({_UNKNOWN})
    number = model.number(expr, scope)
    if number is not None:
        return frozenset({int(number) if number == int(number) else _RUNTIME})
    if isinstance(expr, cst.Name):
        binding = model.reaching_value(expr, scope)
        if binding is None:
            return frozenset({_UNKNOWN})
        if binding.kind == "param":
            return _param_values(model, binding, depth + 1)
        element = _assigned_value(binding)
        if element is not None:
            return _values(model, element, binding.scope, depth + 1)
        return frozenset({_RUNTIME})
    if isinstance(expr, cst.Attribute):
        assigned = self_attribute_values(model, expr, scope)
        if assigned:
            found: FrozenSet[object] = frozenset()
            for value, value_scope, owner in assigned:
                found |= _values(owner, value, value_scope, depth + 1)
            return found
    return frozenset({_RUNTIME})
