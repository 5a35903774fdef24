from __future__ import annotations

from functools import partial
from typing import Callable, Dict, List, Optional, Set, Tuple

import libcst as cst

from nnlint.analysis.branches import exclusive, guarded_together
from nnlint.analysis.engine_events import calls_in_handlers
from nnlint.analysis.ignite_engines import training_engine_loops
from nnlint.analysis.model import CallInfo, LoopInfo, SemanticModel
from nnlint.analysis.optimization import StepEvent, function_events, iteration_events
from nnlint.context import RuleContext
from nnlint.rule import Rule


def _exclusive(model: SemanticModel, first: StepEvent, second: StepEvent) -> bool:
    """The two steps sit on opposite branches of one ``if`` of this file: they never run together."""
    nodes = (first.call.node, second.call.node)
    return all(node in model.order for node in nodes) and exclusive(model, *nodes)


def _scheduler_first(
    model: SemanticModel, events: List[StepEvent], container: cst.CSTNode, reported: Set[int]
) -> Optional[Tuple[CallInfo, CallInfo]]:
    """(scheduler step, the optimizer step it precedes) of one iteration or one call, marked reported; None when
    every scheduler step follows an optimizer step that may run first, is conditional on its own, or is
    told which step it is (``step(epoch)``, ``step(metric)``)."""
    for index, event in enumerate(events):
        if event.kind != "scheduler" or id(event.call.node) in reported:
            continue
        if any(e.kind == "optimizer" and not _exclusive(model, e, event) for e in events[:index]):
            continue  # an optimizer step that may run earlier in the same iteration
        step = next(
            (
                e.call
                for e in events[index + 1 :]
                if e.kind == "optimizer"
                and (not event.conditional or guarded_together(model, event.call.node, e.call.node, container))
            ),
            None,
        )
        if step is None:
            continue  # `if cond: scheduler.step()` alone: it may not run in the iterations that train
        if event.call.node.args:
            continue  # step(epoch) / step(metric): the caller says which step it is (timm, ReduceLROnPlateau)
        reported.add(id(event.call.node))
        return event.call, step
    return None


class SchedulerBeforeOptimizer(Rule):
    """## What it does
    Finds a learning-rate scheduler's `step()` that runs, unconditionally, before the optimizer's
    `step()` in the same iteration of a loop: before it in the batch loop, at the top of a
    `train_step` helper, or at the top of the epoch loop before the batches are trained (the pre-1.1
    PyTorch habit), in an ignite handler of `Events.EPOCH_STARTED` (which runs before the epoch's
    updates), or before the optimizer's step in the update function of an ignite `Engine(update)` (one
    iteration of the engine's loop). The optimizer steps may run in a training function of another project file
    (`scheduler.step(); engine.train(model, loader, optimizer)`), and a scheduler under an `if`/`else`
    counts when the optimizer step that follows it is in the same branch. Schedulers stepped after
    `optimizer.step()`, once per epoch after the inner loop,
    or `ReduceLROnPlateau.step(val_loss)` after validation are not reported, nor is a `step(epoch)` that
    names the epoch explicitly (timm schedulers set the rate of the epoch they are given).

    ## Why is this bad?
    Since PyTorch 1.1 a scheduler's `step()` must follow the optimizer's. Stepped first, the schedule
    is shifted by one: the first learning rate of the schedule (the warm-up start, or the initial rate
    of a step decay) is skipped, and a one-cycle schedule ends one step early, or raises an error
    when it runs past its total steps.

    ## Example
    ```python
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 4))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10)
    for epoch in range(30):
        scheduler.step()
        for x, y in loader:
            optimizer.zero_grad()
            criterion(model(x), y).backward()
            optimizer.step()
    ```

    ## Use instead
    ```python
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 4))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10)
    for epoch in range(30):
        for x, y in loader:
            optimizer.zero_grad()
            criterion(model(x), y).backward()
            optimizer.step()
        scheduler.step()
    ```

    ## How to fix
    Call `scheduler.step()` after `optimizer.step()`: right after it for per-iteration schedules
    (`OneCycleLR`, warm-up), or once after the epoch's inner loop for per-epoch schedules.
    """

    code = "NN404"
    name = "scheduler-before-optimizer"
    summary = "scheduler.step() is called before optimizer.step() in the same iteration"

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        reported: Set[int] = set()
        # an ignite training engine's update function is one iteration of the engine's loop
        engine_loops = training_engine_loops(model)
        # each unit runs its steps in order: one iteration of a loop, or every call of a function that steps
        # both (`OptimizerScheduler.step()` wrapping the two)
        # (line numbers cost a position pass over the file: they are computed only for a finding)
        units: List[Tuple[List[StepEvent], cst.CSTNode, Callable[[], Tuple[str, Dict[str, object]]]]] = [
            (iteration_events(model, loop), loop.node, partial(_in_iteration, model, loop, engine_loops))
            for loop in [*model.loops, *engine_loops]
        ]
        units.extend(
            (function_events(model, func), func.node, partial(_in_every_call, func.name)) for func in model.functions
        )
        for events, container, describe in units:
            found = _scheduler_first(model, events, container, reported)
            if found is None:
                continue
            scheduler, step = found
            where, evidence = describe()
            ctx.report(
                scheduler.node,
                f"scheduler.step() runs before optimizer.step() (line {model.line_of(step.node)}) {where}: the "
                "schedule's first value is skipped; step the scheduler after the optimizer",
                evidence={"optimizer_step_line": model.line_of(step.node), **evidence},
            )
        for call in calls_in_handlers(model, "EPOCH_STARTED"):
            if call.node.args or id(call.node) in reported or call.receiver is None:
                continue
            if call.method_name != "step" or model.object_of(call.receiver, call.scope).kind != "scheduler":
                continue
            reported.add(id(call.node))
            ctx.report(
                call.node,
                "scheduler.step() runs in an Events.EPOCH_STARTED handler, before that epoch's optimizer steps: "
                "the schedule runs one epoch early and its first value is skipped; attach it to Events.EPOCH_COMPLETED",
                evidence={"event": "EPOCH_STARTED"},
            )


def _in_iteration(model: SemanticModel, loop: LoopInfo, engine_loops: List[LoopInfo]) -> Tuple[str, Dict[str, object]]:
    line = model.line_of(loop.node)
    return f"in the same iteration of {_loop_name(loop, engine_loops)} at line {line}", {"loop_line": line}


def _in_every_call(name: str) -> Tuple[str, Dict[str, object]]:
    return f"in every call of {name}()", {"function": name}


def _loop_name(loop: LoopInfo, engine_loops: List[LoopInfo]) -> str:
    if loop in engine_loops and loop.function is not None:
        return f"the engine's loop (its update function {loop.function.name})"
    return "the loop"
