from __future__ import annotations

from typing import List, Optional, Set, Tuple

import libcst as cst

from nnlint.analysis.imports import dotted_name
from nnlint.analysis.model import ClassInfo, Scope, SemanticModel
from nnlint.analysis.optimizer_params import (
    OptimizerBuild,
    mentions_freezing,
    optimizer_builds,
    replaced_module,
    trainable_submodules,
)
from nnlint.context import RuleContext
from nnlint.rule import Rule


def _assignments(model: SemanticModel) -> List[cst.Assign]:
    return model.nodes_of(cst.Assign)  # type: ignore[return-value]


def _rebound_after(model: SemanticModel, build: OptimizerBuild, scope: Scope, after: int) -> bool:
    """The variable holding an optimizer is assigned again later (``optimizer = make_optimizer(model)``)."""
    statement = model.parent.get(build.call.node)
    if not isinstance(statement, cst.Assign):
        return False
    names = {dotted_name(t.target) for t in statement.targets} - {None}
    for assign in _assignments(model):
        if model.order.get(assign, -1) > after and model.scope_of(assign) is scope:
            if names & {dotted_name(t.target) for t in assign.targets}:
                return True
    return False


def _is_literal(expr: Optional[cst.BaseExpression], value: str) -> bool:
    return isinstance(expr, cst.Name) and expr.value == value


def _freeze_all(model: SemanticModel, node: cst.CSTNode) -> Optional[str]:
    """The model spelling when a statement freezes every parameter of it."""
    if isinstance(node, cst.For) and isinstance(node.iter, cst.Call) and isinstance(node.target, cst.Name):
        func = node.iter.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "parameters" and not node.iter.args):
            return None
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else []
        for statement in body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if (
                    isinstance(small, cst.Assign)
                    and len(small.targets) == 1
                    and dotted_name(small.targets[0].target) == f"{node.target.value}.requires_grad"
                    and _is_literal(small.value, "False")
                ):
                    return dotted_name(func.value)
        return None
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "requires_grad_":
        if node.args and _is_literal(node.args[0].value, "False"):
            return dotted_name(node.func.value)
    return None


def _unfreezes_or_adds(model: SemanticModel, module_name: str, scope: Scope, after: int, before: int) -> bool:
    """Between two points of a scope: a layer assigned into the model, or anything made trainable again."""
    for assign in _assignments(model):
        order = model.order.get(assign, -1)
        if not after < order < before or model.scope_of(assign) is not scope:
            continue
        for target in assign.targets:
            name = dotted_name(target.target) or dotted_name(getattr(target.target, "value", target.target)) or ""
            if name.startswith(module_name + ".") or name == module_name:
                return True
            if name.endswith(".requires_grad") and not _is_literal(assign.value, "False"):
                return True
    for call in model.calls:
        if (
            call.scope is scope
            and after < call.order < before
            and call.method_name in ("requires_grad_", "add_param_group")
        ):
            if not (call.node.args and _is_literal(call.node.args[0].value, "False")):
                return True
    return False


class ParametersNotOptimized(Rule):
    """## What it does
    Finds an optimizer that does not hold the parameters it should train:
    - it is built over `model.parameters()` and then a layer is replaced (`model.fc = nn.Linear(...)`,
      `model[-1] = nn.Linear(...)`): the new layer's parameters were never given to it;
    - it is built over one submodule (`model.classifier.parameters()`) while other layers the model's
      `forward` uses are trainable, are never frozen, and no other optimizer holds them;
    - every parameter is frozen (`requires_grad = False` on all of `model.parameters()`) before it is built.

    Freezing the backbone and optimising the head, param groups that cover the whole model, and an
    optimizer built after the replacement are not reported.

    ## Why is this bad?
    Layers outside the optimizer still receive gradients but never change: a replaced head stays at its
    random initialisation, a "fine-tuned" encoder stays as it was, and the loss plateaus. With every
    parameter frozen, nothing trains at all (or `backward()` fails).

    ## Example
    ```python
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model[-1] = nn.Linear(64, 3)
    ```

    ## Use instead
    ```python
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 10))
    model[-1] = nn.Linear(64, 3)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    ```

    ## How to fix
    Build the optimizer after the model is final (layers replaced, freezing applied), over
    `model.parameters()` or param groups that together cover every trainable submodule. To train only
    a head, freeze the rest explicitly with `requires_grad_(False)`.
    """

    code = "NN407"
    name = "parameters-not-optimized"
    summary = "the optimizer misses trainable parameters (layer replaced after it, a subset, or all frozen)"

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        builds = optimizer_builds(model)
        if not builds:
            return
        self._replaced_after_build(ctx, builds)
        self._subset(ctx, builds)
        self._all_frozen(ctx, builds)

    # ---------------------------------------------------------------------------------------
    def _replaced_after_build(self, ctx: RuleContext, builds: List[OptimizerBuild]) -> None:
        model = ctx.model
        for assign in _assignments(model):
            scope = model.scope_of(assign)
            replaced = replaced_module(model, assign, scope)
            if replaced is None:
                continue
            base, part = replaced
            order = model.order[assign]
            same_scope = [b for b in builds if b.call.scope is scope]
            before = [b for b in same_scope if b.order < order and b.covers(base)]
            if not before:
                continue
            rebuilt = any(b.order > order and (b.covers(part) or b.covers(base)) for b in same_scope)
            rebuilt = rebuilt or _rebound_after(model, before[-1], scope, order)
            extended = any(
                c.scope is scope and c.order > order and c.method_name == "add_param_group" for c in model.calls
            )
            if not before or rebuilt or extended:
                continue
            ctx.report(
                assign,
                f"{part} is replaced after the optimizer was built over {base}'s parameters "
                f"(line {model.line_of(before[-1].call.node)}): the new layer's parameters are not in the "
                "optimizer and will never be updated; build the optimizer after replacing layers",
                evidence={"optimizer_line": model.line_of(before[-1].call.node), "replaced": part},
            )

    def _subset(self, ctx: RuleContext, builds: List[OptimizerBuild]) -> None:
        model = ctx.model
        if mentions_freezing(model, model.module):
            return
        for build in builds:
            split = _single_model_subset(model, build)
            if split is None:
                continue
            owner_name, covered, cls = split
            if any(other.covers(owner_name) for other in builds):
                continue
            for other in builds:
                covered |= {
                    s.module[len(owner_name) + 1 :].split(".")[0]
                    for s in other.sources
                    if s.module and s.module.startswith(owner_name + ".")
                }
            forward = cls.owner.method_of(cls, "forward")
            if forward is not None and mentions_freezing(model, forward.node, in_forward=True):
                continue
            if mentions_freezing(cls.owner, cls.node):
                continue
            missing = [attr for attr in trainable_submodules(model, cls) if attr not in covered]
            if not missing:
                continue
            ctx.report(
                build.call.node,
                f"the optimizer only holds {', '.join(sorted(covered))} of {owner_name}, but {', '.join(missing)} "
                "is trainable, used in forward and never frozen: it gets gradients that are never applied; "
                f"optimise {owner_name}.parameters() (or param groups) or freeze it explicitly",
                evidence={"missing": missing},
            )

    def _all_frozen(self, ctx: RuleContext, builds: List[OptimizerBuild]) -> None:
        model = ctx.model
        freezes: List[Tuple[str, cst.CSTNode]] = []
        for loop in model.loops:
            name = _freeze_all(model, loop.node)
            if name:
                freezes.append((name, loop.node))
        for call in model.calls:
            name = _freeze_all(model, call.node)
            if name:
                freezes.append((name, call.node))
        for name, node in freezes:
            scope = model.scope_of(node)
            order = model.order[node]
            for build in builds:
                if build.call.scope is not scope or build.order < order:
                    continue
                if not any(source.module == name for source in build.sources):
                    continue
                if _unfreezes_or_adds(model, name, scope, order, build.order):
                    continue
                ctx.report(
                    build.call.node,
                    f"every parameter of {name} is frozen (line {model.line_of(node)}) before this optimizer is built "
                    "over them: nothing will be trained; unfreeze the layers to train or add a new trainable head "
                    "first",
                    evidence={"frozen_at": model.line_of(node)},
                )


def _single_model_subset(model: SemanticModel, build: OptimizerBuild) -> Optional[Tuple[str, Set[str], ClassInfo]]:
    """(model spelling, submodule names, model class) when an optimizer holds only direct submodules of one user
    model."""
    if not build.sources:
        return None
    owners: Set[str] = set()
    covered: Set[str] = set()
    cls: Optional[ClassInfo] = None
    for source in build.sources:
        receiver = source.node.func.value  # type: ignore[attr-defined]
        if not isinstance(receiver, cst.Attribute) or source.module is None:
            return None
        owner_name = dotted_name(receiver.value)
        obj = model.object_of(receiver.value, build.call.scope)
        if owner_name is None or obj.kind != "model" or obj.cls is None:
            return None
        owners.add(owner_name)
        covered.add(receiver.attr.value)
        cls = obj.cls
    if len(owners) != 1 or cls is None:
        return None
    return owners.pop(), covered, cls
