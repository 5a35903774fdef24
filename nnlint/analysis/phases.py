"""Phases: one loop body that trains or evaluates depending on a value it is given.

``for phase in ["train", "val"]:`` around the batch loop, or ``run_epoch(model, loader, train=False)``,
with the backward and the optimizer step under ``if phase == "train":``. Judged once, such a forward
trains; with the value that fails every test guarding the training steps (``"val"``, ``False``), the
same loop is forward-only: an evaluation. The values a phase takes are read where they are written:
the literals an enclosing ``for`` loop iterates, the literals this file's calls pass for a parameter
(and its default where a call omits it), and the literals a caller's own loop iterates when it passes
its loop variable on.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Set, Tuple

import libcst as cst

from nnlint.analysis.branches import within
from nnlint.analysis.imports import dotted_name
from nnlint.analysis.model import CallInfo, LoopInfo, SemanticModel

_MISSING = object()  # no literal value known
Condition = Tuple[cst.BaseExpression, bool]  # an ``if`` test and whether the guarded code needs it to hold
_MAX_VALUES = 8


def forward_only_phase(model: SemanticModel, call: CallInfo, steps: Sequence[CallInfo]) -> Optional[Tuple[str, object]]:
    """(phase variable, value) for which none of the training ``steps`` of the forward ``call``'s loop level
    runs: every call there that leads to a step sits under an ``if`` on that variable which the value
    fails. None when some step runs unconditionally, or no literal value of a tested name fails them."""
    guarded = _calls_leading_to(model, call, steps)
    if not guarded:
        return None
    conditions = [_conditions(model, step, call) for step in guarded]
    if any(not found for found in conditions):
        return None  # a training step that runs in every phase
    names = sorted({name for found in conditions for test, _ in found for name in _names_tested(test)})
    for name in names:
        for value in _values_of(model, name, call):
            if all(any(_truth(test, name, value) is (not needed) for test, needed in found) for found in conditions):
                return name, value
    return None


def _calls_leading_to(model: SemanticModel, call: CallInfo, steps: Sequence[CallInfo]) -> List[CallInfo]:
    """The calls at the forward's own level (function and innermost loop) that are a step or run one."""
    level = call.loops[-1] if call.loops else None
    wanted = {id(step.node) for step in steps}
    siblings = [
        c
        for c in (call.function.calls if call.function is not None else model.calls)
        if (c.loops[-1] if c.loops else None) is level and (call.function is not None or c.function is None)
    ]
    return [c for c in siblings if any(id(r.node) in wanted for r in model.reachable_calls([c]))]


def _conditions(model: SemanticModel, step: CallInfo, forward: CallInfo) -> List[Condition]:
    """The ``if`` tests around a call inside its function that do not guard the forward too (a phase whose
    branch holds the whole loop runs no forward there), each with the outcome the call needs."""
    found: List[Condition] = []
    previous: cst.CSTNode = step.node
    stop = forward.function.node if forward.function is not None else None
    for ancestor in model.ancestors(step.node):
        if ancestor is stop:
            break
        if isinstance(ancestor, cst.If) and not within(model, ancestor, forward.node):
            if previous is ancestor.body:
                found.append((ancestor.test, True))
            elif previous is ancestor.orelse:
                found.append((ancestor.test, False))
        previous = ancestor
    return found


def _names_tested(test: cst.BaseExpression) -> Set[str]:
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return _names_tested(test.expression)
    if isinstance(test, cst.BooleanOperation):
        return _names_tested(test.left) | _names_tested(test.right)
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        test = test.left
    name = dotted_name(test)
    return {name} if isinstance(test, cst.Name) and name is not None else set()


def _truth(test: cst.BaseExpression, name: str, value: object) -> Optional[bool]:
    """Whether ``test`` holds when ``name`` holds ``value`` (None: it depends on something else)."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = _truth(test.expression, name, value)
        return None if inner is None else not inner
    if isinstance(test, cst.BooleanOperation):
        left, right = _truth(test.left, name, value), _truth(test.right, name, value)
        if isinstance(test.operator, cst.And):
            return False if False in (left, right) else True if left is right is True else None
        return True if True in (left, right) else False if left is right is False else None
    if isinstance(test, cst.Name):
        return bool(value) if test.value == name else None
    if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1):
        return None
    target = test.comparisons[0]
    if dotted_name(test.left) != name:
        return None
    operator = target.operator
    if isinstance(operator, (cst.In, cst.NotIn)):
        options = _literals(target.comparator)
        if options is None:
            return None
        return (value in options) is isinstance(operator, cst.In)
    other = _constant(target.comparator)
    if other is _MISSING:
        return None
    if isinstance(operator, (cst.Equal, cst.Is)):
        return value == other
    if isinstance(operator, (cst.NotEqual, cst.IsNot)):
        return value != other
    return None


def _values_of(model: SemanticModel, name: str, call: CallInfo) -> List[object]:
    """The literal values the name may hold at the forward: iterated by an enclosing loop, or passed for the
    function's parameter by its calls, this file's and the project's (``engine.run_epoch(..., train=False)``
    in the training script)."""
    for loop in reversed(call.loops):
        iterated = _iterated_literals(model, loop, name)
        if iterated is not None:
            return iterated
    func = call.function
    if func is None or name not in func.params:
        return []
    values: List[object] = []
    index = func.param_index(name)
    default = next((b.value for b in func.scope.bindings.get(name, []) if b.kind == "param"), None)
    callers = [(model, caller) for caller in model.callers(func)] + list(model.foreign_callers(func))
    for owner, caller in callers:
        if any(arg.star for arg in caller.node.args):
            continue
        passed = owner.argument(caller.node, index, name)
        if passed is None:
            constant = _constant(default) if default is not None else _MISSING
            found = [constant] if constant is not _MISSING else []
        else:
            found = _passed_values(owner, passed, caller)
        values.extend(value for value in found if value not in values)
    return values[:_MAX_VALUES]


def _passed_values(model: SemanticModel, passed: cst.BaseExpression, caller: CallInfo) -> List[object]:
    constant = _constant(passed)
    if constant is not _MISSING:
        return [constant]
    if isinstance(passed, cst.Name):  # the caller's own loop variable: `for phase in [...]: run(phase)`
        for loop in reversed(caller.loops):
            iterated = _iterated_literals(model, loop, passed.value)
            if iterated is not None:
                return iterated
    return []


def _iterated_literals(model: SemanticModel, loop: LoopInfo, name: str) -> Optional[List[object]]:
    """The literals a ``for name in ...`` loop iterates (``["train", "val"]``, or a name assigned such a
    list); None when the loop does not bind the name."""
    node = loop.node
    if not (isinstance(node, cst.For) and isinstance(node.target, cst.Name) and node.target.value == name):
        return None
    iterated = node.iter
    if isinstance(iterated, cst.Name):  # `phases = ["train", "val"]` ... `for phase in phases:`
        binding = model.reaching_value(iterated, loop.scope)
        if binding is None or binding.kind != "assign" or binding.value is None or binding.index is not None:
            return []
        iterated = binding.value
    return _literals(iterated) or []


def _literals(expr: cst.BaseExpression) -> Optional[List[object]]:
    if not isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
        return None
    values = [_constant(element.value) for element in expr.elements]
    return None if any(value is _MISSING for value in values) else values


_NAMED_CONSTANTS: Dict[str, object] = {"True": True, "False": False, "None": None}


def _constant(expr: cst.BaseExpression) -> object:
    if isinstance(expr, cst.SimpleString):
        return expr.evaluated_value
    if isinstance(expr, cst.Name):
        return _NAMED_CONSTANTS.get(expr.value, _MISSING)
    if isinstance(expr, cst.Integer):
        return int(expr.value, 0) if expr.value.isdigit() else _MISSING
    return _MISSING


def evaluating_phase(model: SemanticModel, call: CallInfo) -> Optional[Tuple[str, object]]:
    """(phase variable, value) under which a training forward is scored and trains nothing: the loop of
    ``for phase in ["train", "val"]`` (or ``run_epoch(..., train=False)``) evaluating."""
    from nnlint.analysis.forward_roles import output_scored, training_steps_of  # built on the model's queries

    steps = training_steps_of(model, call)
    if not steps or not output_scored(model, call):
        return None
    return forward_only_phase(model, call, steps)
