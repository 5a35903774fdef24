from __future__ import annotations

import re
from typing import Dict, Iterator, Optional, Set

import libcst as cst

from nnlint.api import ClassInfo, FunctionInfo, Obj, Rule, RuleContext, SemanticModel, torch_api

from nnlint_lightning.lightning import lightning_modules, self_name, self_root_attribute

_PARAMETER_METHODS = frozenset({"parameters", "named_parameters"})
# layers that own no parameters: leaving them out of an optimizer loses nothing
_PARAMETER_FREE = re.compile(
    r"\.(\w*Pool\w*|Dropout\w*|AlphaDropout|Flatten|Unflatten|Identity|Upsample\w*|PixelShuffle|PixelUnshuffle|"
    r"\w*Pad\d?d|ChannelShuffle|Softmax\w*|LogSoftmax)$"
)
_NOT_A_FORWARD = frozenset(
    {
        "requires_grad_",
        "eval",
        "train",
        "to",
        "cuda",
        "cpu",
        "apply",
        "freeze",
        "zero_grad",
        "state_dict",
        "load_state_dict",
    }
)
_FREEZING = re.compile(r"requires_grad|\bfreeze\w*\(|\.eval\(\)")
_MAX_DEPTH = 6


class OptimizerMissesParameters(Rule):
    """## What it does
    Finds a `LightningModule` whose `configure_optimizers` hands its optimizer(s) the parameters of
    some sub-modules (`self.encoder.parameters()`) while another sub-module with parameters, used in
    training and not frozen, is in no optimizer at all.

    ## Why is this bad?
    The forgotten module keeps its random initial weights for the whole run. Its gradients are even
    computed, so nothing crashes and the loss still falls a little (the other modules adapt around
    it), which makes the bug hard to see: typically a new head or adapter added after the optimizer
    code was written.

    ## Example
    ```python
    import torch
    import torch.nn as nn
    import pytorch_lightning as pl

    class Classifier(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.encoder = nn.Sequential(nn.Linear(32, 64), nn.ReLU())
            self.head = nn.Linear(64, 10)

        def training_step(self, batch, batch_idx):
            x, y = batch
            return nn.functional.cross_entropy(self.head(self.encoder(x)), y)

        def configure_optimizers(self):
            return torch.optim.Adam(self.encoder.parameters(), lr=1e-3)
    ```

    ## Use instead
    ```python
    import torch
    import torch.nn as nn
    import pytorch_lightning as pl

    class Classifier(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.encoder = nn.Sequential(nn.Linear(32, 64), nn.ReLU())
            self.head = nn.Linear(64, 10)

        def training_step(self, batch, batch_idx):
            x, y = batch
            return nn.functional.cross_entropy(self.head(self.encoder(x)), y)

        def configure_optimizers(self):
            return torch.optim.Adam(
                [
                    {"params": self.encoder.parameters(), "lr": 1e-4},
                    {"params": self.head.parameters(), "lr": 1e-3},
                ]
            )
    ```

    ## How to fix
    Pass `self.parameters()`, or add the missing module as a parameter group. If the module is meant
    to stay fixed, freeze it explicitly (`self.head.requires_grad_(False)`) so the intent is visible.
    """

    code = "NNL103"
    name = "lightning-optimizer-misses-parameters"
    summary = "configure_optimizers leaves a trained sub-module out of every optimizer"

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        for cls in lightning_modules(model):
            configure = cls.methods.get("configure_optimizers")
            if configure is None:
                continue
            self._check_class(ctx, cls, configure)

    def _check_class(self, ctx: RuleContext, cls: ClassInfo, configure: FunctionInfo) -> None:
        model = ctx.model
        optimizers = [call for call in configure.calls if _is_optimizer(model.callee_qualname(call.node, call.scope))]
        if not optimizers:
            return
        covered: Set[str] = set()
        for call in optimizers:
            params = model.argument(call.node, 0, "params")
            found = _covered_attributes(model, params, configure, 0) if params is not None else None
            if found is None or "" in found:
                return  # self.parameters() (everything) or a parameter list we cannot read: stay silent
            covered |= found
        if not covered:
            return
        frozen = _frozen_attributes(model, cls)
        used = _attributes_called_with_grad(model, cls)
        missing = []
        for attr, obj in _parameter_modules(model, cls).items():
            if attr not in covered and attr not in frozen and attr in used and not _freezes_itself(obj):
                missing.append((attr, obj))
        if not missing:
            return
        names = ", ".join(f"self.{attr}" for attr, _ in missing)
        trained = ", ".join(f"self.{attr}" for attr in sorted(covered))
        first = missing[0][1]
        where = (
            f" ({first.owner.where(first.node, model)})" if first.node is not None and first.owner is not None else ""
        )
        ctx.report(
            optimizers[0].node,
            f"the optimizers train {trained} only; {names}{where} is used in training but in no optimizer, so it keeps "
            "its initial weights: pass self.parameters() or add a parameter group (freeze it explicitly if intended)",
            evidence={"optimized": sorted(covered), "missing": [attr for attr, _ in missing]},
        )


def _is_optimizer(qualname: Optional[str]) -> bool:
    return qualname is not None and (
        qualname in torch_api.OPTIMIZERS or re.match(r"^torch\.optim\.[A-Z]\w*$", qualname) is not None
    )


def _covered_attributes(
    model: SemanticModel, expr: cst.BaseExpression, func: FunctionInfo, depth: int
) -> Optional[Set[str]]:
    """Top-level attributes whose parameters an optimizer's ``params`` expression includes ('' means
    ``self`` itself, i.e. everything); None when the expression cannot be read."""
    found: Set[str] = set()
    return found if _collect_covered(model, expr, func, depth, found) and found else None


def _collect_covered(model: SemanticModel, node: cst.CSTNode, func: FunctionInfo, depth: int, found: Set[str]) -> bool:
    """Adds what ``node`` covers to ``found``; False when part of it cannot be read."""
    if depth > _MAX_DEPTH:
        return False
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value in _PARAMETER_METHODS
    ):
        receiver = node.func.value
        if isinstance(receiver, cst.Name) and receiver.value == self_name(func):
            found.add("")
            return True
        attr = self_root_attribute(receiver, func)
        if attr is None:
            return False  # someone else's parameters (a variable, a helper's result): unknown
        found.add(attr)
        return True
    if isinstance(node, cst.Name):
        if node.value == self_name(func):
            return True
        binding = model.lookup(node.value, func.scope, model.order.get(node))
        if binding is None or binding.scope is not func.scope:
            return True  # a builtin (list, filter...) or an imported/module-level name
        if binding.kind not in ("assign", "annassign") or binding.value is None or binding.index is not None:
            return False
        return _collect_covered(model, binding.value, func, depth + 1, found)
    if isinstance(node, cst.Attribute):
        return _collect_covered(model, node.value, func, depth, found)
    if isinstance(node, cst.Arg):
        return _collect_covered(model, node.value, func, depth, found)
    if isinstance(node, cst.Lambda):
        return True  # filter(lambda p: p.requires_grad, ...): the predicate adds no parameters
    return all(_collect_covered(model, child, func, depth, found) for child in node.children)


def _walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Nodes of an expression, without the names that are not variables (``x.attr``, ``f(kw=...)``,
    lambda parameters)."""
    yield node
    if isinstance(node, cst.Attribute):
        yield from _walk(node.value)
        return
    if isinstance(node, cst.Arg):
        yield from _walk(node.value)
        return
    if isinstance(node, cst.Lambda):
        yield from _walk(node.body)
        return
    for child in node.children:
        yield from _walk(child)


def _parameter_modules(model: SemanticModel, cls: ClassInfo) -> Dict[str, Obj]:
    """``self.X`` attributes holding a module that owns parameters."""
    modules: Dict[str, Obj] = {}
    for attr in cls.attributes:
        obj = model.attribute_object(cls, attr)
        if obj.kind == "model" or (obj.kind == "layer" and obj.qualname and not _parameter_free(obj.qualname)):
            modules[attr] = obj
    return modules


def _parameter_free(qualname: str) -> bool:
    return (
        qualname in torch_api.ACTIVATION_CLASSES
        or qualname in torch_api.DROPOUT_CLASSES
        or bool(_PARAMETER_FREE.search(qualname))
    )


def _frozen_attributes(model: SemanticModel, cls: ClassInfo) -> Set[str]:
    """Attributes named in any statement of the class that freezes something (requires_grad, freeze, eval)."""
    frozen: Set[str] = set()
    for func in cls.methods.values():
        for statement in _statements(func.node):
            text = model.module.code_for_node(statement)
            if _FREEZING.search(text):
                frozen.update(_self_attributes(statement, func))
    return frozen


def _freezes_itself(obj: Obj) -> bool:
    """A user module class that freezes its own parameters (a perceptual-loss network, a frozen encoder)."""
    cls, owner = obj.cls, obj.owner
    if cls is None or owner is None:
        return False
    return any(
        _FREEZING.search(owner.module.code_for_node(statement))
        for func in cls.methods.values()
        for statement in _statements(func.node)
    )


def _statements(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    for child in node.children:
        if isinstance(child, (cst.SimpleStatementLine, cst.For, cst.With, cst.If)):
            yield child
        if not isinstance(child, (cst.SimpleStatementLine, cst.FunctionDef, cst.ClassDef)):
            yield from _statements(child)


def _self_attributes(node: cst.CSTNode, func: FunctionInfo) -> Set[str]:
    found: Set[str] = set()
    for child in _walk(node):
        if isinstance(child, cst.Attribute):
            attr = self_root_attribute(child, func)
            if attr is not None:
                found.add(attr)
    return found


def _attributes_called_with_grad(model: SemanticModel, cls: ClassInfo) -> Set[str]:
    """Attributes called as modules (``self.X(...)``, ``self.X[i](...)``) in training: in ``training_step``,
    ``forward`` and the methods they call, outside ``no_grad`` and not detached on the spot."""
    entry_points = [cls.methods[name] for name in ("training_step", "forward") if name in cls.methods]
    used: Set[str] = set()
    for call in model.reachable_calls([call for func in entry_points for call in func.calls]):
        func = call.function
        if func is None or func.cls is not cls:
            continue
        attr = self_root_attribute(call.node.func, func)
        if attr is None or model.in_no_grad(call) or _detached(model, call.node):
            continue
        if (
            isinstance(call.node.func, cst.Attribute)
            and call.node.func.attr.value in _PARAMETER_METHODS | _NOT_A_FORWARD
        ):
            continue
        used.add(attr)
    return used


def _detached(model: SemanticModel, call: cst.Call) -> bool:
    """``self.teacher(x).detach()``: the module's output is cut from the graph where it is produced."""
    parent = model.parent.get(call)
    return isinstance(parent, cst.Attribute) and parent.attr.value in ("detach", "detach_")
