from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional

import libcst as cst

from nnlint.analysis.imports import dotted_name
from nnlint.analysis.loss_inputs import is_live_loss
from nnlint.analysis.model import LoopInfo, Scope, SemanticModel
from nnlint.analysis.optimization import backward_calls, computes_gradients, loop_facts, step_calls
from nnlint.context import RuleContext
from nnlint.rule import Rule


@dataclass
class _Accumulation:
    statement: cst.CSTNode  # the AugAssign / Assign / append call
    target: str  # dotted name of the accumulator (``total_loss``, ``self.history``)
    how: str


def _container_name(expr: cst.BaseExpression) -> Optional[str]:
    """``history`` for ``history``, ``history["loss"]`` and ``self.history``."""
    while isinstance(expr, cst.Subscript):
        expr = expr.value
    return dotted_name(expr)


def _accumulations(model: SemanticModel, loop: LoopInfo, scope: Scope) -> Iterator[_Accumulation]:
    own_function = loop.function.node if loop.function is not None else None
    for node in model.descendants(loop.node.body, (cst.AugAssign, cst.Assign, cst.Call)):
        if model.enclosing(node, cst.FunctionDef) is not own_function:
            continue  # a function defined inside the loop body is not the loop's own accumulation
        if isinstance(node, cst.AugAssign):
            target = _container_name(node.target)
            if (
                target
                and isinstance(node.operator, (cst.AddAssign, cst.SubtractAssign))
                and is_live_loss(model, node.value, scope)
            ):
                yield _Accumulation(node, target, f"{target} += <loss tensor>")
        elif isinstance(node, cst.Assign):
            if len(node.targets) != 1 or not isinstance(node.value, cst.BinaryOperation):
                continue
            target = _container_name(node.targets[0].target)
            value = node.value
            if target is None or not isinstance(value.operator, cst.Add):
                continue
            for same, other in ((value.left, value.right), (value.right, value.left)):
                if dotted_name(same) == target and is_live_loss(model, other, scope):
                    yield _Accumulation(node, target, f"{target} = {target} + <loss tensor>")
                    break
        elif isinstance(node, cst.Call):
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value == "append" and len(node.args) == 1:
                target = _container_name(func.value)
                if target and is_live_loss(model, node.args[0].value, scope):
                    yield _Accumulation(node, target, f"{target}.append(<loss tensor>)")


def _innermost_loop(model: SemanticModel, node: cst.CSTNode) -> Optional[cst.CSTNode]:
    return model.enclosing(node, (cst.For, cst.While, cst.FunctionDef))


def _reset_in_loop(model: SemanticModel, loop: LoopInfo, target: str, before: int) -> bool:
    """Whether the accumulator gets a fresh value earlier in the same iteration (``loss = ...`` first)."""
    for node in model.descendants(loop.node.body, cst.Assign):
        if model.order.get(node, before) >= before:
            continue
        for assign_target in node.targets:  # type: ignore[attr-defined]
            if _container_name(assign_target.target) == target and not _refers_to(model, node.value, target):  # type: ignore[attr-defined]
                return True
    return False


def _refers_to(model: SemanticModel, expr: cst.BaseExpression, target: str) -> bool:
    for node in model.descendants(expr, (cst.Name, cst.Attribute)):
        if (node.value if isinstance(node, cst.Name) else dotted_name(node)) == target:  # type: ignore[arg-type]
            return True
    return False


def _backpropagated(model: SemanticModel, target: str, scope: Scope) -> bool:
    """The accumulated value is itself backpropagated later (``total.backward()``,
    ``torch.stack(losses).sum().backward()``)."""
    for call in model.calls:
        if call.scope is not scope or not computes_gradients(model, call):
            continue
        if _refers_to(model, call.node, target):
            return True
    return False


def _grad_disabled(model: SemanticModel, node: cst.CSTNode, scope: Scope) -> bool:
    for ancestor in model.ancestors(node):
        if isinstance(ancestor, cst.With) and model.is_no_grad_with(ancestor, scope):
            return True
    func = scope.function
    return func is not None and model.function_is_no_grad(func)


class LossKeptWithGraph(Rule):
    """## What it does
    Finds a loss tensor accumulated across the iterations of a training loop without `.item()` or
    `.detach()`: `total_loss += loss`, `running = running + loss`, `self.running_loss += loss`,
    `losses.append(loss)`, `history["loss"].append(loss)`. Accumulators reset earlier in the same
    iteration (`loss = ce; loss += aux`), accumulations under `torch.no_grad()`, and sums that are
    themselves backpropagated later are not reported.

    ## Why is this bad?
    A loss tensor references the whole autograd graph that produced it (activations included). Summing
    it or keeping it in a list keeps every iteration's graph alive until the accumulator is dropped:
    memory grows through the epoch until the process runs out of memory, and each addition extends
    the graph further.

    ## Example
    ```python
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 5))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    total_loss = 0
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        total_loss += loss
    ```

    ## Use instead
    ```python
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 5))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    total_loss = 0.0
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        total_loss += loss.item()
    ```

    ## How to fix
    Accumulate Python numbers with `loss.item()` (or `float(loss)`), or detached tensors with
    `loss.detach()` when you want to avoid a device synchronisation per step.
    """

    code = "NN405"
    name = "loss-kept-with-graph"
    summary = "a loss tensor is accumulated across iterations with its autograd graph"

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        for loop in model.loops:
            facts = loop_facts(model, loop)
            if not (backward_calls(model, facts) or step_calls(model, facts, include_closure_steps=True)):
                continue  # not a training loop
            scope = loop.scope
            for found in _accumulations(model, loop, scope):
                if _innermost_loop(model, found.statement) is not loop.node:
                    continue
                order = model.order.get(found.statement, 0)
                if _reset_in_loop(model, loop, found.target, order):
                    continue
                if _grad_disabled(model, found.statement, scope) or _backpropagated(model, found.target, scope):
                    continue
                ctx.report(
                    found.statement,
                    f"`{found.how}` keeps each iteration's autograd graph alive until {found.target} is dropped; "
                    "accumulate loss.item() or loss.detach() instead",
                    evidence={"accumulator": found.target},
                )
