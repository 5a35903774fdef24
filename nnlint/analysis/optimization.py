"""Questions about optimisation loops: which loops backpropagate, step an optimizer, clear gradients,
and in which order the optimizer and the learning-rate scheduler are stepped within one iteration.

Built only on the public API of :class:`~nnlint.analysis.model.SemanticModel`; the calls a loop makes
include the calls of the user functions it calls (``train_one_epoch``, ``self.train_step``...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Set

import libcst as cst

from nnlint.analysis.branches import guards_existence_of, exclusive, within
from nnlint.analysis.model import CallInfo, FunctionInfo, LoopInfo, SemanticModel
from nnlint.analysis.nodetypes import node_types

_MAX_INLINE_DEPTH = 3


def computes_gradients(model: SemanticModel, call: CallInfo) -> bool:
    """``loss.backward()``, ``scaler.scale(loss).backward()``, ``manual_backward``, ``torch.autograd.grad``."""
    if model.is_backward_call(call):
        return True
    return model.callee_qualname(call.node, call.scope) in ("torch.autograd.grad", "torch.autograd.backward")


def is_closure_step(model: SemanticModel, call: CallInfo) -> bool:
    """``optimizer.step(closure)``: the closure runs forward and backward itself (LBFGS)."""
    if model.optimizer_step_target(call) is not call.receiver:
        return False  # scaler.step(optimizer): the argument is the optimizer, not a closure
    return bool(call.node.args)


def steps_optimizer(model: SemanticModel, call: CallInfo) -> bool:
    return model.optimizer_step_target(call) is not None


def _is_grad_attribute(expr: cst.BaseExpression) -> bool:
    """``p.grad`` (also ``p.grad.data``, the pre-0.4 spelling)."""
    while isinstance(expr, cst.Attribute):
        if expr.attr.value == "grad":
            return True
        expr = expr.value
    return False


def clears_gradients_call(call: CallInfo) -> bool:
    """``opt.zero_grad()``, ``model.zero_grad(set_to_none=True)``, ``p.grad.zero_()``, ``p.grad.detach_()``."""
    if call.method_name == "zero_grad":
        return True
    return call.method_name in ("zero_", "detach_") and call.receiver is not None and _is_grad_attribute(call.receiver)


def _resets_grad(model: SemanticModel, node: cst.CSTNode) -> bool:
    """``p.grad = None`` clears; ``p.grad = g`` (gradients computed another way) overwrites: both reset it."""
    for statement in model.descendants(node, (cst.Assign, cst.Del)):
        if isinstance(statement, cst.Assign) and any(_is_grad_attribute(t.target) for t in statement.targets):
            return True
        if isinstance(statement, cst.Del) and _is_grad_attribute(statement.target):
            return True
    return False


@dataclass
class LoopFacts:
    """What one loop does in each iteration, through the user functions it calls."""

    loop: LoopInfo
    calls: List[CallInfo]

    def matching(self, predicate: Callable[[CallInfo], bool]) -> List[CallInfo]:
        return [call for call in self.calls if predicate(call)]


def loop_facts(model: SemanticModel, loop: LoopInfo) -> LoopFacts:
    """Cached per file: NN402-NN405 and NN503 all ask it of every loop."""
    cache: Dict[LoopInfo, LoopFacts] = model.cached_analysis("loop-facts", dict)
    facts = cache.get(loop)
    if facts is None:
        facts = cache[loop] = LoopFacts(loop, model.reachable_calls(loop.calls))
    return facts


def backward_calls(model: SemanticModel, facts: LoopFacts) -> List[CallInfo]:
    return facts.matching(lambda call: computes_gradients(model, call))


def step_calls(model: SemanticModel, facts: LoopFacts, include_closure_steps: bool = False) -> List[CallInfo]:
    return facts.matching(
        lambda call: steps_optimizer(model, call) and (include_closure_steps or not is_closure_step(model, call))
    )


def clears_gradients(model: SemanticModel, facts: LoopFacts) -> bool:
    """Whether each iteration of a loop clears gradients (a call, or ``p.grad = None``), helpers included."""
    if any(clears_gradients_call(call) for call in facts.calls):
        return True
    bodies: List[cst.CSTNode] = [facts.loop.node]
    seen: Set[int] = set()
    for call in facts.calls:
        func = call.function
        if func is not None and func is not facts.loop.function and id(func) not in seen:
            seen.add(id(func))  # a helper the loop calls: its whole body runs in the iteration
            bodies.append(func.node)
    return any(_resets_grad(model, body) for body in bodies)


def steps_without_own_clearing(model: SemanticModel, facts: LoopFacts) -> List[CallInfo]:
    """Steps of an optimizer whose gradients nothing in the iteration clears, where the only clearing is
    ``other.zero_grad()`` of other optimizers (a GAN loop that clears the generator's optimizer only).

    Any clearing that may cover every parameter (``model.zero_grad()``, ``p.grad = None``, an unknown
    receiver) makes the answer empty: which parameters it covers is not in the source.
    """
    clearings = [call for call in facts.calls if clears_gradients_call(call)]
    if not clearings or _resets_grad(model, facts.loop.node):
        return []
    cleared: Set[int] = set()
    for call in clearings:
        key = _optimizer_key(model, call.receiver, call)
        if call.method_name != "zero_grad" or key is None:
            return []
        cleared.add(key)
    unclear: List[CallInfo] = []
    stepped: Set[int] = set()
    for step in step_calls(model, facts):
        key = _optimizer_key(model, model.optimizer_step_target(step), step)
        if key is None:
            return []
        stepped.add(key)
        if key not in cleared:
            unclear.append(step)
    return unclear if len(stepped) > 1 else []


def steps_cleared_on_other_branch(model: SemanticModel, facts: LoopFacts) -> List[CallInfo]:
    """Steps that never run together with any clearing of the iteration: every ``zero_grad()`` sits on the
    other branch of an ``if`` around the step (``if amp: opt.zero_grad(); scaler.step(opt) else: opt.step()``).

    Judged only when the clearings and the step are written in the loop itself (a clearing in a helper may
    run on either branch).
    """
    clearings = [call for call in facts.calls if clears_gradients_call(call)]
    if not clearings or _resets_grad(model, facts.loop.node):
        return []
    if not all(within(model, facts.loop.node, call.node) for call in clearings):
        return []
    return [
        step
        for step in step_calls(model, facts)
        if within(model, facts.loop.node, step.node)
        and all(exclusive(model, clearing.node, step.node) for clearing in clearings)
    ]


def _optimizer_key(model: SemanticModel, expr: Optional[cst.BaseExpression], call: CallInfo) -> Optional[int]:
    """Identity of the optimizer object an expression holds (None when it is not a known optimizer)."""
    if expr is None:
        return None
    obj = model.object_of(expr, call.scope)
    if obj.kind != "optimizer" or obj.node is None:
        return None
    return id(obj.node)


def enclosing_loops(loop: LoopInfo) -> Iterator[LoopInfo]:
    current = loop.parent
    while current is not None:
        yield current
        current = current.parent


def has_nested(loop: LoopInfo, candidates: Iterable[LoopInfo]) -> bool:
    """Whether one of ``candidates`` is nested (at any depth) inside ``loop``."""
    return any(loop in enclosing_loops(other) for other in candidates if other is not loop)


# ------------------------------------------------------------------------------ step order
@dataclass(frozen=True)
class StepEvent:
    kind: str  # "optimizer" | "scheduler"
    call: CallInfo
    conditional: bool  # under an if/try (or a nested loop) inside the iteration


def iteration_events(model: SemanticModel, loop: LoopInfo) -> List[StepEvent]:
    """Optimizer and scheduler steps of one iteration of a loop, in source order, helpers inlined."""
    events: List[StepEvent] = []
    _collect_events(model, loop.node, list(_body_calls(model, loop.calls, loop.node)), False, events, 0, set())
    return events


def function_events(model: SemanticModel, func: FunctionInfo) -> List[StepEvent]:
    """Optimizer and scheduler steps that every call of a function runs, in source order, helpers inlined:
    the steps in its own body outside any loop of it (``OptimizerScheduler.step()`` that steps both)."""
    top_level = [call for call in func.calls if not call.loops]
    if not any(call.method_name == "step" and model.is_scheduler_step(call) for call in top_level):
        return []  # no scheduler step of its own: nothing to order (and no helper worth inlining)
    events: List[StepEvent] = []
    _collect_events(model, func.node, list(_body_calls(model, top_level, func.node)), False, events, 0, set())
    return events


def _body_calls(model: SemanticModel, calls: Sequence[CallInfo], container: cst.CSTNode) -> Iterator[CallInfo]:
    """The calls of a loop body or function body in source order (the loop header excluded)."""
    header: Optional[cst.CSTNode] = (
        container.iter
        if isinstance(container, cst.For)
        else (container.test if isinstance(container, cst.While) else None)
    )
    for call in sorted(calls, key=lambda c: c.order):
        if header is not None and (call.node is header or header in model.ancestors(call.node)):
            continue
        yield call


def _is_conditional(model: SemanticModel, node: cst.CSTNode, container: cst.CSTNode) -> bool:
    """Whether a step call may not run in every iteration: under an if/try or a nested loop, except an
    ``if`` that only checks its own object exists (``if scheduler: scheduler.step()``)."""
    branching = node_types((cst.If, cst.IfExp, cst.Try, cst.For, cst.While, cst.BooleanOperation, cst.Lambda))
    receiver = node.func.value if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) else None
    below: cst.CSTNode = node
    for ancestor in model.ancestors(node):
        if ancestor is container:
            return False
        if type(ancestor) in branching:
            if not (
                isinstance(ancestor, cst.If)
                and receiver is not None
                and below is ancestor.body
                and guards_existence_of(ancestor.test, receiver)
            ):
                return True
        below = ancestor
    return False


def _collect_events(
    model: SemanticModel,
    container: cst.CSTNode,
    calls: Sequence[CallInfo],
    conditional: bool,
    events: List[StepEvent],
    depth: int,
    active: Set[int],
) -> None:
    for call in calls:
        guarded = conditional or _is_conditional(model, call.node, container)
        if model.is_scheduler_step(call):
            events.append(StepEvent("scheduler", call, guarded))
            continue
        if steps_optimizer(model, call):
            events.append(StepEvent("optimizer", call, guarded))
            continue
        if depth >= _MAX_INLINE_DEPTH:
            continue
        target = model.resolve_function(call.node.func, call.scope)
        if target is None or target.name == "forward" or id(target) in active:
            continue
        if target.scope.node not in model.order:
            # a training function of another project file (`tnt.train(model, loader, optimizer)`): its
            # optimizer steps run at this call
            owner = model.owner_of(target)
            if owner is not None and owner is not model and owner.function_does(target, "step"):
                events.append(StepEvent("optimizer", call, guarded))
            continue
        active.add(id(target))
        _collect_events(
            model, target.node, list(_body_calls(model, target.calls, target.node)), guarded, events, depth + 1, active
        )
        active.discard(id(target))
