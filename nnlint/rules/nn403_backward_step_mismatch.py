from __future__ import annotations

from typing import List, Set

from nnlint.analysis.model import CallInfo, LoopInfo, SemanticModel
from nnlint.analysis.optimization import (
    LoopFacts,
    backward_calls,
    is_closure_step,
    loop_facts,
    step_calls,
    steps_optimizer,
)
from nnlint.context import RuleContext
from nnlint.rule import Rule


def _runs_forward_or_loss(model: SemanticModel, facts: LoopFacts) -> bool:
    for call in facts.calls:
        if model.loss_kind(call.node, call.scope) is not None:
            return True
        if model.object_of(call.node.func, call.scope).kind == "model":
            return True
    return False


def _computes_a_loss(model: SemanticModel, facts: LoopFacts) -> bool:
    """A loss function or criterion runs in the loop (a profiling loop backpropagates ``out.sum()``)."""
    return any(model.loss_kind(call.node, call.scope) is not None for call in facts.calls)


def _optimizer_evidence(model: SemanticModel, facts: LoopFacts) -> bool:
    """The loop clearly belongs to an optimisation: it clears an optimizer's gradients or steps a scheduler."""
    for call in facts.calls:
        if model.is_scheduler_step(call):
            return True
        if call.method_name == "zero_grad" and call.receiver is not None:
            if model.object_of(call.receiver, call.scope).kind == "optimizer":
                return True
    return False


def _file_never_steps(model: SemanticModel) -> bool:
    """An optimizer is built in this file and no optimizer step is written anywhere in it."""
    built = any(model.object_of(call.node, call.scope).kind == "optimizer" for call in model.calls)
    return built and not any(steps_optimizer(model, call) for call in model.calls)


def _steps_elsewhere(model: SemanticModel, loop: LoopInfo) -> bool:
    """A step outside the loop: after it in the same function (full-batch accumulation) or around its callers."""
    func = loop.function
    own_calls: List[CallInfo] = func.calls if func is not None else [c for c in model.calls if c.function is None]
    if any(steps_optimizer(model, call) for call in own_calls if call not in loop.calls):
        return True
    if func is None:
        return False
    for caller in model.callers(func):
        for outer in caller.loops:
            if step_calls(model, loop_facts(model, outer), include_closure_steps=True):
                return True
        owner_calls = caller.function.calls if caller.function is not None else model.calls
        if any(steps_optimizer(model, call) for call in owner_calls if call.order > caller.order):
            return True
    return False


class BackwardStepMismatch(Rule):
    """## What it does
    Finds a training loop that computes gradients with `backward()` but never steps an optimizer, or
    steps an optimizer without ever calling `backward()`, counting the helpers the loop calls.
    Recognised as correct: `scaler.scale(loss).backward()` with `scaler.step(optimizer)`, LBFGS's
    `optimizer.step(closure)` with `backward()` inside the closure, gradient accumulation that steps
    after the loop, and Lightning `training_step` methods (Lightning runs backward and step itself).
    A `backward()` loop is only reported when it is clearly an optimisation loop (it clears an
    optimizer's gradients or steps a scheduler, or it computes a loss in a file that never steps its
    optimizer); a loop that only times forward and backward on `out.sum()` is profiling, not training.

    ## Why is this bad?
    Without `step()` the gradients are computed and thrown away: the weights never change and the
    loss stays flat. Without `backward()` the optimizer steps on empty or stale gradients: nothing is
    learned (or the same update is applied forever), while the loop runs without error.

    ## Example
    ```python
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 4))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
    ```

    ## Use instead
    ```python
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 4))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
    ```

    ## How to fix
    Every iteration that trains needs both halves: `loss.backward()` to compute the gradients and
    `optimizer.step()` to apply them (with AMP: `scaler.scale(loss).backward()`, `scaler.step(optimizer)`,
    `scaler.update()`). A learning-rate scheduler's `step()` does not update the weights.
    """

    code = "NN403"
    name = "backward-step-mismatch"
    summary = "backward() without an optimizer step(), or step() without backward()"

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        never_steps = _file_never_steps(model)
        reported: Set[int] = set()
        for loop in model.loops:
            if loop.parent is not None:
                continue  # judge whole iterations of the outermost loop: nested loops are part of it
            facts = loop_facts(model, loop)
            backwards = backward_calls(model, facts)
            steps = step_calls(model, facts)
            if any(is_closure_step(model, call) for call in facts.calls if steps_optimizer(model, call)):
                continue
            if steps and not backwards:
                if _runs_forward_or_loss(model, facts) and id(steps[0].node) not in reported:
                    reported.add(id(steps[0].node))
                    ctx.report(
                        steps[0].node,
                        "the optimizer steps but no backward() runs in this training loop: it applies empty or "
                        "stale gradients; call loss.backward() before optimizer.step()",
                        evidence={"loop_line": model.line_of(loop.node)},
                    )
            elif backwards and not steps:
                if (
                    (_optimizer_evidence(model, facts) or (never_steps and _computes_a_loss(model, facts)))
                    and not _steps_elsewhere(model, loop)
                    and id(backwards[0].node) not in reported
                ):
                    reported.add(id(backwards[0].node))
                    ctx.report(
                        backwards[0].node,
                        "backward() computes gradients but no optimizer step() applies them in this training "
                        "loop: the weights never change; call optimizer.step() after backward()",
                        evidence={"loop_line": model.line_of(loop.node)},
                    )
