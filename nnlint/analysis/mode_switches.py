"""Where a train/eval switch sits relative to the forwards it governs.

Whether a mode call runs once per epoch (inside a loop around the forward, here or in a caller),
whether it and the training steps sit on opposite branches of one test, and whether the training mode
reaching a forward was chosen on purpose by a condition.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Optional, Sequence

import libcst as cst

from nnlint.analysis.branches import branch_tests as _branch_tests
from nnlint.analysis.model import CallInfo, FunctionInfo, SemanticModel

if TYPE_CHECKING:
    from nnlint.analysis.modes import ForwardUse


def excluded_by_branch(model: SemanticModel, mode_call: cst.CSTNode, steps: Sequence[CallInfo]) -> bool:
    """``mode_call`` and every training step sit on opposite branches of the same ``if`` test.

    ``if phase == "train": model.train() else: model.eval()`` ... ``if phase == "train": loss.backward()``:
    the eval branch and the training step never run in the same iteration.
    """
    if not steps:
        return False
    holds, fails = _branch_tests(model, mode_call)
    for step in steps:
        step_holds, step_fails = _branch_tests(model, step.node)
        if not ((fails & step_holds) or (holds & step_fails)):
            return False
    return True


def _contains(model: SemanticModel, outer: cst.CSTNode, node: cst.CSTNode) -> bool:
    start = model.order.get(outer)
    return start is not None and start <= model.order.get(node, -1) <= model.subtree_end.get(outer, start)


def _reaches(model: SemanticModel, func: FunctionInfo, goal: FunctionInfo, depth: int = 3) -> bool:
    """Whether calling ``func`` can run ``goal`` (through this file's functions, ``depth`` calls deep)."""
    if func is goal:
        return True
    if depth == 0:
        return False
    for call in func.calls:
        for target in _functions_run_by(model, call):
            if _reaches(model, target, goal, depth - 1):
                return True
    return False


def _functions_run_by(model: SemanticModel, call: CallInfo) -> List[FunctionInfo]:
    """This file's functions a call runs: the one it calls, or an ignite engine's process function and
    handlers for ``engine.run(data)``."""
    target = model.resolve_function(call.node.func, call.scope)
    if target is not None:
        return [target] if target.scope.node in model.order else []
    if call.method_name != "run":
        return []
    from nnlint.analysis.ignite_engines import functions_run_by_engine  # engines are built on the model only

    return functions_run_by_engine(model, call)


def _anchors(model: SemanticModel, func: Optional[FunctionInfo], origin: cst.CSTNode) -> List[cst.CSTNode]:
    """Where, in ``func``'s own body, the mode call ``origin`` runs: itself, or each call of a helper that runs
    it (``set_mode("train", m)`` before the loop and ``check_accuracy(m)`` inside it both reach one helper)."""
    origin_func = model.function_of(origin)
    if origin_func is func:
        return [origin]
    if origin_func is None:
        return []
    calls = func.calls if func is not None else [c for c in model.calls if c.function is None]
    return [
        call.node
        for call in calls
        if any(_reaches(model, target, origin_func) for target in _functions_run_by(model, call))
    ]


def mode_set_in_loop(model: SemanticModel, origin: cst.CSTNode, forward: CallInfo) -> bool:
    """The mode call ``origin`` runs inside a loop that also runs ``forward``: once per epoch or batch
    (a validation inside the training loop), not once before the loop (a deliberate choice, such as
    training a linear probe on a frozen network in eval mode).

    The loop may be around the forward in its own function, or around the call of that function in a
    caller (an epoch loop calling ``validate()`` then ``train()``)."""
    anchors = _anchors(model, forward.function, origin)
    if anchors:
        return any(_contains(model, loop.node, anchor) for loop in forward.loops for anchor in anchors)
    if forward.function is None:
        return False
    for caller in model.callers(forward.function):
        anchors = _anchors(model, caller.function, origin)
        if any(_contains(model, loop.node, anchor) for loop in caller.loops for anchor in anchors):
            return True
    from nnlint.analysis.ignite_engines import recurring_handlers  # engines are built on the model only

    # an ignite engine's update function: a handler of each epoch or iteration runs the mode call
    return any(_anchors(model, handler, origin) for handler in recurring_handlers(model, forward.function))


def mode_chosen_by_condition(model: SemanticModel, use: ForwardUse) -> bool:
    """The training mode reaching a forward was chosen on purpose: ``if training: m.train() else: m.eval()``
    before it in the same function (an export or a check run in the mode the caller asks for)."""
    func = use.call.function
    switches = [
        c
        for c in model.calls_named("train", "eval")
        if c.function is func
        and c.receiver is not None
        and c.order < use.call.order
        and model.object_of(c.receiver, c.scope).node is use.model.node
    ]
    evals = [c.node for c in switches if c.method_name == "eval"]
    for switch in (c for c in switches if c.method_name == "train"):
        child: cst.CSTNode = switch.node
        for ancestor in model.ancestors(switch.node):
            if ancestor is (func.node if func is not None else None):
                break
            if isinstance(ancestor, cst.If):
                other = ancestor.orelse if child is ancestor.body else ancestor.body
                if other is not None and any(_contains(model, other, node) for node in evals):
                    return True
            child = ancestor
    return False


def switches_loop_variables(model: SemanticModel, func: FunctionInfo) -> bool:
    """``for m in models: m.eval()`` in ``func``: it switches the mode of models it is handed in a sequence,
    which the mode analysis cannot name one by one (the models a call passes are then of unknown mode)."""
    switching = model.cached_analysis(
        "loop-variable-switches",
        lambda: {
            call.function
            for call in model.calls_named("eval", "train")
            if call.function is not None and _switches_a_loop_variable(model, call)
        },
    )
    return func in switching


def _switches_a_loop_variable(model: SemanticModel, call: CallInfo) -> bool:
    receiver = call.receiver
    if not isinstance(receiver, cst.Name) or len(call.node.args) > 1:
        return False
    binding = model.lookup(receiver.value, call.scope, model.order.get(receiver))
    return binding is not None and binding.kind == "for"
