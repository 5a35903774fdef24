from __future__ import annotations

from nnlint.analysis.engine_events import calls_in_handlers
from nnlint.analysis.ignite_engines import training_engine_loops
from nnlint.analysis.optimization import (
    backward_calls,
    clears_gradients,
    clears_gradients_call,
    has_nested,
    loop_facts,
    step_calls,
    steps_cleared_on_other_branch,
    steps_without_own_clearing,
)
from nnlint.context import RuleContext
from nnlint.rule import Rule


class MissingZeroGrad(Rule):
    """## What it does
    Finds a training loop whose iterations call `backward()` and an optimizer's `step()` (directly or
    in helpers such as `train_step`) but never clear the gradients: no `optimizer.zero_grad()`,
    `model.zero_grad()`, `zero_grad(set_to_none=True)`, `p.grad = None` or `p.grad.zero_()` runs inside
    the loop. A `zero_grad()` called once before the loop does not count. Gradient accumulation
    (`if (i + 1) % accum == 0: step(); zero_grad()`) clears inside the loop and is not reported.
    With several optimizers (a GAN's generator and discriminator), each one's `step()` needs its own
    clearing: a loop that only calls `opt_g.zero_grad()` is reported at `opt_d.step()`. A
    `model.zero_grad()` or `p.grad = None` may cover any parameters, so it silences the rule.
    A clearing on the other branch of an `if` around the step does not count either: with
    `if amp: opt.zero_grad(); ...; scaler.step(opt) else: loss.backward(); opt.step()` the plain branch
    steps on accumulated gradients.
    The update function of an ignite training engine (`Engine(update)`) is the body of a training loop
    too: ignite runs it once per batch (a clearing in an `Events.ITERATION_*` handler counts).

    ## Why is this bad?
    `backward()` adds to `.grad`; it never overwrites it. Without clearing, every step applies the sum
    of all gradients computed so far: the effective learning rate grows with each iteration, and
    the updates follow stale directions until training diverges.

    ## Example
    ```python
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 3))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    for x, y in loader:
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
    ```

    ## Use instead
    ```python
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 3))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    for x, y in loader:
        optimizer.zero_grad(set_to_none=True)
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
    ```

    ## How to fix
    Call `optimizer.zero_grad()` once per optimizer step, at the top of the iteration or right after
    `step()`. To accumulate gradients over several batches, make it explicit: step and clear every
    `accum` iterations.
    """

    code = "NN402"
    name = "missing-zero-grad"
    summary = "a training loop calls backward() and step() but never clears gradients"

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        candidates = {}
        uncleared_optimizers = {}
        cleared_elsewhere = {}
        engine_loops = training_engine_loops(model)
        if engine_loops and any(
            clears_gradients_call(call)
            for event in ("ITERATION_STARTED", "ITERATION_COMPLETED")
            for call in calls_in_handlers(model, event)
        ):
            engine_loops = []  # the engine's handlers clear the gradients around each update
        for loop in [*model.loops, *engine_loops]:
            facts = loop_facts(model, loop)
            steps = step_calls(model, facts)
            if not steps or not backward_calls(model, facts):
                continue
            if clears_gradients(model, facts):
                unclear = steps_without_own_clearing(model, facts)
                if unclear:
                    uncleared_optimizers[loop] = unclear
                else:
                    other_branch = steps_cleared_on_other_branch(model, facts)
                    if other_branch:
                        cleared_elsewhere[loop] = other_branch
                continue
            candidates[loop] = steps[0]
        for loop, unclear in uncleared_optimizers.items():
            if has_nested(loop, uncleared_optimizers) or has_nested(loop, candidates):
                continue
            for step in unclear:
                ctx.report(
                    step.node,
                    "this optimizer's gradients are never cleared in the training loop at line "
                    f"{model.line_of(loop.node)}: "
                    "only the other optimizers call zero_grad(), so each step applies the sum of all its past "
                    "gradients; "
                    "clear it before its backward()",
                    evidence={"loop_line": model.line_of(loop.node)},
                )
        for loop, steps in cleared_elsewhere.items():
            if has_nested(loop, cleared_elsewhere) or has_nested(loop, candidates):
                continue
            for step in steps:
                ctx.report(
                    step.node,
                    "gradients are cleared only on the other branch of an `if` in the training loop at line "
                    f"{model.line_of(loop.node)}: on this branch backward() accumulates into .grad and each step "
                    "applies the sum of all past gradients; call optimizer.zero_grad() on this branch too",
                    evidence={"loop_line": model.line_of(loop.node)},
                )
        reported = set()
        for loop, step in candidates.items():
            if has_nested(loop, candidates) or step.node in reported:
                continue  # report the innermost loop that steps without clearing
            if loop in engine_loops and any(
                other.function is loop.function for other in candidates if other is not loop
            ):
                continue  # a loop inside the update function is reported itself
            reported.add(step.node)
            where = (
                f"the engine update function {loop.function.name}"
                if loop in engine_loops and loop.function is not None
                else "the training loop"
            )
            ctx.report(
                step.node,
                f"gradients are never cleared in {where} at line {model.line_of(loop.node)}: "
                "backward() accumulates into .grad, so each step applies the sum of all past gradients; "
                "call optimizer.zero_grad() every iteration",
                evidence={"loop_line": model.line_of(loop.node)},
            )
