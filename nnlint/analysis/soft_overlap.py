"""Soft overlap terms (Dice, IoU, Tversky) of a loss function's parameter.

A soft overlap divides the summed product of the prediction and the target by sums of the prediction
(``2 * (p * t).sum() / (p.sum() + t.sum())``); it is only meaningful on probabilities. When a loss
function computes one on its raw parameter, that parameter is used as a probability, whatever else
the function does with it: a sigmoid applied to the same parameter elsewhere in the function is then
either a second sigmoid or the overlap term is given logits. Either way one of the two is wrong.

Names are followed through plain assignments in the function, and the prediction through the methods
that keep what a tensor is (``view``, ``reshape``, ``flatten``, ``contiguous``, ``float``).

Built only on the public API of :class:`~nnlint.analysis.model.SemanticModel`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Optional

import libcst as cst

from nnlint.analysis.symbols import FunctionInfo, Scope

if TYPE_CHECKING:
    from nnlint.analysis.model import SemanticModel

_KEEPING_METHODS = frozenset({"view", "reshape", "flatten", "contiguous", "float", "double", "squeeze", "unsqueeze"})
_KEEPING_FUNCTIONS = frozenset({"torch.flatten", "torch.reshape", "torch.squeeze", "torch.unsqueeze"})
_SUM_FUNCTIONS = frozenset({"torch.sum"})
_MAX_DEPTH = 6


def overlap_of_parameter(model: "SemanticModel", func: FunctionInfo, param: str) -> Optional[cst.BinaryOperation]:
    """The first soft overlap ratio of ``func`` computed on parameter ``param`` as it arrived (no activation
    in between), or None."""
    if param not in func.params:
        return None
    for node in model.descendants(func.node, cst.BinaryOperation):
        if not isinstance(node, cst.BinaryOperation) or not isinstance(node.operator, cst.Divide):
            continue
        if model.scope_of(node) is not func.scope:
            continue
        numerator = any(_is_raw_product(model, s, param, func.scope) for s in _summed(model, node.left, func.scope))
        if numerator and any(_has_raw_sum(model, s, param, func.scope) for s in _summed(model, node.right, func.scope)):
            return node
    return None


def parameter_of(model: "SemanticModel", expr: Optional[cst.BaseExpression], scope: Scope) -> Optional[str]:
    """The parameter of the enclosing function an expression is, as it arrived (through plain local names
    and the methods that keep what a tensor is); None otherwise."""
    root = _raw_root(model, expr, scope, 0)
    return root.value if root is not None else None


def _raw_root(
    model: "SemanticModel", expr: Optional[cst.BaseExpression], scope: Scope, depth: int
) -> Optional[cst.Name]:
    if expr is None or depth > _MAX_DEPTH:
        return None
    if isinstance(expr, cst.Name):
        binding = model.reaching_value(expr, scope)
        if binding is None or binding.scope is not scope:
            return None
        if binding.kind == "param":
            return expr
        if binding.kind == "assign" and binding.index is None and binding.value is not None:
            return _raw_root(model, binding.value, scope, depth + 1)
        return None
    if isinstance(expr, cst.Call):
        func = expr.func
        if isinstance(func, cst.Attribute) and func.attr.value in _KEEPING_METHODS:
            if model.qualname(func, scope) is None:
                return _raw_root(model, func.value, scope, depth + 1)
            return None
        if model.qualname(func, scope) in _KEEPING_FUNCTIONS:
            return _raw_root(model, model.argument(expr, 0, "input"), scope, depth + 1)
    return None


def _is_raw(model: "SemanticModel", expr: cst.BaseExpression, param: str, scope: Scope) -> bool:
    return parameter_of(model, expr, scope) == param


def _summed(
    model: "SemanticModel", expr: cst.BaseExpression, scope: Scope, depth: int = 0
) -> Iterator[cst.BaseExpression]:
    """What is summed anywhere in an expression (``x.sum(...)``, ``torch.sum(x)``), through local names."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(expr, cst.Name):
        binding = model.reaching_value(expr, scope)
        if binding is not None and binding.scope is scope and binding.kind == "assign" and binding.value is not None:
            if binding.index is None:
                yield from _summed(model, binding.value, scope, depth + 1)
        return
    if isinstance(expr, cst.Call):
        func = expr.func
        if isinstance(func, cst.Attribute) and func.attr.value == "sum" and model.qualname(func, scope) is None:
            yield func.value
            return
        if model.qualname(func, scope) in _SUM_FUNCTIONS:
            summed = model.argument(expr, 0, "input")
            if summed is not None:
                yield summed
            return
        return
    if isinstance(expr, cst.BinaryOperation):
        yield from _summed(model, expr.left, scope, depth + 1)
        yield from _summed(model, expr.right, scope, depth + 1)
    elif isinstance(expr, cst.UnaryOperation):
        yield from _summed(model, expr.expression, scope, depth + 1)


def _is_raw_product(model: "SemanticModel", expr: cst.BaseExpression, param: str, scope: Scope) -> bool:
    """``p * t`` (either order) with ``p`` the raw parameter and ``t`` something else."""
    if not isinstance(expr, cst.BinaryOperation) or not isinstance(expr.operator, cst.Multiply):
        return False
    left, right = _is_raw(model, expr.left, param, scope), _is_raw(model, expr.right, param, scope)
    return left != right


def _has_raw_sum(model: "SemanticModel", expr: cst.BaseExpression, param: str, scope: Scope) -> bool:
    """``p`` itself, ``p + t``, ``p * p`` or ``p ** 2``: the sums of a Dice or IoU denominator."""
    if _is_raw(model, expr, param, scope):
        return True
    if not isinstance(expr, cst.BinaryOperation):
        return False
    if isinstance(expr.operator, cst.Add):
        return _is_raw(model, expr.left, param, scope) or _is_raw(model, expr.right, param, scope)
    if isinstance(expr.operator, cst.Multiply):
        return _is_raw(model, expr.left, param, scope) and _is_raw(model, expr.right, param, scope)
    if isinstance(expr.operator, cst.Power):
        return _is_raw(model, expr.left, param, scope)
    return False
