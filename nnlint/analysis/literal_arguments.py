"""Literal arguments of a call, and the ``if`` tests of the called function they decide.

``set_mode('eval', models)`` with ``def set_mode(mode, models): if mode == 'train': ... if mode == 'eval': ...``:
the function's effect at that call is the one of the branch its literal argument takes. The analyses that
summarise a function's effect per call (the train/eval modes) specialise the summary by these literals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Tuple, Union

import libcst as cst

from nnlint.analysis.symbols import FunctionInfo

if TYPE_CHECKING:
    from nnlint.analysis.model import SemanticModel

Literal = Union[str, int, bool, None]
Literals = Tuple[Tuple[str, Literal], ...]  # (parameter, value), in parameter order
NO_VALUE = object()


def literal_value(expr: Optional[cst.BaseExpression]) -> object:
    """The value of a string, integer, ``True``/``False``/``None`` literal; ``NO_VALUE`` for anything else."""
    if isinstance(expr, cst.SimpleString):
        value = expr.evaluated_value
        return value if isinstance(value, str) else NO_VALUE
    if isinstance(expr, cst.Integer):
        return int(expr.evaluated_value)
    if isinstance(expr, cst.Name) and expr.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[expr.value]
    return NO_VALUE


def literal_arguments(model: "SemanticModel", call: cst.Call, target: FunctionInfo) -> Literals:
    """The parameters of ``target`` that ``call`` passes a literal for, with the literal."""
    if any(arg.star for arg in call.args):
        return ()
    found = []
    for param in target.params:
        index = target.param_index(param)
        if param == target.instance_param:
            continue
        value = literal_value(model.argument(call, index, param))
        if value is not NO_VALUE:
            found.append((param, value))
    return tuple(found)  # type: ignore[arg-type]


def condition_verdict(
    model: "SemanticModel", test: cst.BaseExpression, literals: Literals, func: FunctionInfo
) -> Optional[bool]:
    """Whether an ``if`` test of ``func`` holds given its parameters' literal values: ``p == 'lit'``,
    ``p != 'lit'``, ``p``, ``not p``, ``p is None``, ``p is not None``; None when it depends on anything else."""
    if not literals:
        return None
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = condition_verdict(model, test.expression, literals, func)
        return None if inner is None else not inner
    if isinstance(test, cst.Name):
        value = parameter_value(model, test, literals, func)
        return None if value is NO_VALUE else bool(value)
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        left, right = test.left, target.comparator
        value = parameter_value(model, left, literals, func) if isinstance(left, cst.Name) else NO_VALUE
        other = literal_value(right)
        if value is NO_VALUE and isinstance(right, cst.Name):  # `'eval' == mode`
            value, other = parameter_value(model, right, literals, func), literal_value(left)
        if value is NO_VALUE or other is NO_VALUE:
            return None
        operator = target.operator
        if isinstance(operator, cst.Equal):
            return value == other
        if isinstance(operator, cst.NotEqual):
            return value != other
        if isinstance(operator, cst.Is) and other is None:
            return value is None
        if isinstance(operator, cst.IsNot) and other is None:
            return value is not None
    return None


def parameter_value(model: "SemanticModel", name: cst.Name, literals: Literals, func: FunctionInfo) -> object:
    for param, value in literals:
        if param == name.value:
            binding = model.lookup(name.value, func.scope, model.order.get(name))
            return value if binding is not None and binding.kind == "param" else NO_VALUE
    return NO_VALUE


def return_taken(owner: "SemanticModel", func: FunctionInfo, literals: Literals) -> Optional[cst.Return]:
    """The ``return`` a call with these literal arguments reaches: the first one, in source order, whose
    enclosing ``if`` tests the literals decide to hold (``def get_loss(name): if name == "mse": return
    nn.MSELoss() ...`` called as ``get_loss("mse")``); None when a test on the way is not decided by them,
    or a return sits in a loop or ``try``."""
    if not literals:
        return None
    for ret in func.returns:
        reached = _guards_hold(owner, ret, func, literals)
        if reached is None:
            return None
        if reached:
            return ret
    return None


def _guards_hold(owner: "SemanticModel", ret: cst.Return, func: FunctionInfo, literals: Literals) -> Optional[bool]:
    child: cst.CSTNode = ret
    for ancestor in owner.ancestors(ret):
        if ancestor is func.node:
            return True
        if isinstance(ancestor, (cst.For, cst.While, cst.Try, cst.TryStar, cst.Match)):
            return None
        if isinstance(ancestor, cst.If):
            verdict = condition_verdict(owner, ancestor.test, literals, func)
            if verdict is None:
                return None
            if verdict != (child is ancestor.body):
                return False
        child = ancestor
    return None
