from __future__ import annotations

from typing import Iterator, Optional, Tuple

import libcst as cst

from nnlint.api import FunctionInfo, Rule, RuleContext, SemanticModel

from nnlint_lightning.lightning import lightning_modules, self_attribute, self_name, self_root_attribute

_TRAINING_STEPS = frozenset({"training_step"})
_EVALUATION_STEPS = frozenset({"validation_step", "test_step", "predict_step"})
# results that carry no graph, whatever their input did
_GRAPH_FREE_METHODS = frozenset(
    {
        "detach",
        "detach_",
        "item",
        "tolist",
        "numpy",
        "argmax",
        "argmin",
        "long",
        "int",
        "bool",
        "eq",
        "ne",
        "gt",
        "lt",
        "ge",
        "le",
        "isnan",
        "isfinite",
        "sign",
        "round",
        "floor",
        "ceil",
        "size",
        "dim",
        "numel",
        "nonzero",
        "count_nonzero",
        "all",
        "any",
    }
)
_GRAPH_FREE_FUNCTIONS = frozenset(
    {
        "argmax",
        "argmin",
        "eq",
        "ne",
        "gt",
        "lt",
        "ge",
        "le",
        "isnan",
        "isfinite",
        "sign",
        "round",
        "count_nonzero",
        "numel",
        "equal",
    }
)
_NON_TENSOR_ATTRIBUTES = frozenset({"shape", "dtype", "device", "grad", "ndim", "is_cuda", "requires_grad"})
_ENABLE_GRAD = frozenset({"torch.enable_grad", "torch.autograd.enable_grad", "torch.autograd.grad_mode.enable_grad"})
_SET_GRAD = frozenset(
    {"torch.set_grad_enabled", "torch.autograd.set_grad_enabled", "torch.autograd.grad_mode.set_grad_enabled"}
)
_NO_GRAD = frozenset(
    {"torch.no_grad", "torch.inference_mode", "torch.autograd.no_grad", "torch.autograd.grad_mode.no_grad"}
)
_MAX_DEPTH = 10


class StepKeepsGraph(Rule):
    """## What it does
    Finds a `LightningModule` step that keeps a tensor which still carries its autograd graph beyond
    the step: `training_step` appending the loss or the model's output to a list on `self` (or adding
    it to a running total on `self`) without `.detach()`, and `validation_step`/`test_step` logging or
    storing a value computed under `torch.enable_grad()`. `self.log(...)` detaches what it logs, so
    it is only a problem with `enable_graph=True`.

    ## Why is this bad?
    A tensor with a graph keeps every activation of the step that produced it alive. Stored across
    steps, the graphs of the whole epoch accumulate: memory grows step after step until the run dies
    out of memory hours in, or the batch size has to shrink for no visible reason. Lightning runs
    evaluation steps without gradients, so a graph there only appears where the step turns them back
    on, and then everything logged or kept from that block holds it.

    ## Example
    ```python
    import torch.nn as nn
    import torch.nn.functional as F
    import pytorch_lightning as pl

    class Regressor(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = nn.Linear(8, 1)
            self.train_losses = []

        def training_step(self, batch, batch_idx):
            x, y = batch
            loss = F.mse_loss(self.net(x), y)
            self.train_losses.append(loss)
            return loss
    ```

    ## Use instead
    ```python
    import torch.nn as nn
    import torch.nn.functional as F
    import pytorch_lightning as pl

    class Regressor(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = nn.Linear(8, 1)
            self.train_losses = []

        def training_step(self, batch, batch_idx):
            x, y = batch
            loss = F.mse_loss(self.net(x), y)
            self.train_losses.append(loss.detach())
            return loss
    ```

    ## How to fix
    Keep `.detach()`ed tensors (or `.item()` numbers) for anything that outlives the step, and log
    detached values from evaluation steps that enable gradients.
    """

    code = "NNL102"
    name = "lightning-step-keeps-graph"
    summary = "a Lightning step keeps or logs a tensor that still carries its autograd graph"

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        for cls in lightning_modules(model):
            for name, func in cls.methods.items():
                if name in _TRAINING_STEPS or name in _EVALUATION_STEPS:
                    _StepChecker(ctx, func, training=name in _TRAINING_STEPS).run()


class _StepChecker:
    def __init__(self, ctx: RuleContext, func: FunctionInfo, training: bool) -> None:
        self.ctx = ctx
        self.model: SemanticModel = ctx.model
        self.func = func
        self.training = training
        self.self_name = self_name(func)
        self.grad_by_decorator = self._decorated_with_enable_grad()

    def run(self) -> None:
        for sink, value, what in self._sinks():
            if self._carries_graph(value, 0):
                self.ctx.report(
                    sink,
                    f"{self.func.name} {what} a tensor that still carries its autograd graph; every step's graph stays "
                    "alive with it: store value.detach() (or .item())",
                    evidence={"step": self.func.name},
                )

    # ----------------------------------------------------------------------------- where values go
    def _sinks(self) -> Iterator[Tuple[cst.CSTNode, cst.BaseExpression, str]]:
        for call in self.func.calls:
            func = call.node.func
            if not isinstance(func, cst.Attribute):
                continue
            method = func.attr.value
            if (
                method in ("append", "extend", "add", "insert")
                and self_root_attribute(func.value, self.func) is not None
            ):
                position = 1 if method == "insert" else 0
                value = self.model.argument(call.node, position, None)
                if value is not None:
                    for item in _items(value) if method == "extend" else [value]:
                        yield call.node, item, f"keeps (self.{self_root_attribute(func.value, self.func)}.{method})"
            elif method == "log" and _is_self(func.value, self.self_name) and self._keeps_logged_graph(call.node):
                value = self.model.argument(call.node, 1, "value")
                if value is not None:
                    yield call.node, value, "logs (enable_graph=True)"
            elif method == "log_dict" and _is_self(func.value, self.self_name) and self._keeps_logged_graph(call.node):
                values = self.model.argument(call.node, 0, "dictionary")
                if isinstance(values, cst.Dict):
                    for element in values.elements:
                        if isinstance(element, cst.DictElement):
                            yield call.node, element.value, "logs (enable_graph=True)"
        for node in _walk_statements(self.func.node.body):
            if isinstance(node, cst.AugAssign) and isinstance(node.operator, cst.AddAssign):
                attr = self_attribute(node.target, self.func)
                if attr is not None:
                    yield node, node.value, f"adds to self.{attr}"

    def _keeps_logged_graph(self, call: cst.Call) -> bool:
        # self.log detaches what it is given unless told otherwise
        flag = self.model.argument(call, None, "enable_graph")
        return isinstance(flag, cst.Name) and flag.value == "True"

    # ---------------------------------------------------------------------------- graph tracking
    def _carries_graph(self, expr: Optional[cst.BaseExpression], depth: int) -> bool:
        if expr is None or depth > _MAX_DEPTH:
            return False
        if isinstance(expr, cst.Name):
            binding = self.model.lookup(expr.value, self.func.scope, self.model.order.get(expr))
            if (
                binding is None
                or binding.scope is not self.func.scope
                or binding.kind not in ("assign", "annassign", "augassign")
            ):
                return False  # parameters (the batch), loop targets, globals: no graph from this step
            if binding.index is not None:
                return False  # tuple unpacking: we cannot tell which element carries what
            return self._carries_graph(binding.value, depth + 1)
        if isinstance(expr, cst.Call):
            return self._call_carries_graph(expr, depth)
        if isinstance(expr, cst.BinaryOperation):
            return self._carries_graph(expr.left, depth + 1) or self._carries_graph(expr.right, depth + 1)
        if isinstance(expr, cst.UnaryOperation) and not isinstance(expr.operator, cst.Not):
            return self._carries_graph(expr.expression, depth + 1)
        if isinstance(expr, cst.Subscript):
            return self._carries_graph(expr.value, depth + 1)
        if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
            return any(self._carries_graph(element.value, depth + 1) for element in expr.elements)
        if isinstance(expr, cst.Dict):
            return any(
                isinstance(element, cst.DictElement) and self._carries_graph(element.value, depth + 1)
                for element in expr.elements
            )
        if isinstance(expr, cst.Attribute) and expr.attr.value not in _NON_TENSOR_ATTRIBUTES:
            return self_attribute(expr, self.func) is None and self._carries_graph(expr.value, depth + 1)
        return False

    def _call_carries_graph(self, call: cst.Call, depth: int) -> bool:
        func = call.func
        if not self._grad_enabled_at(call):
            return False
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method in _GRAPH_FREE_METHODS:
                return False
            if _is_self(func.value, self.self_name) and method == "forward":
                return True
            if self_attribute(func, self.func) is not None:
                return self._is_module_attribute(func)  # self.net(x), self.criterion(out, y)
        if _is_self(func, self.self_name):
            return True  # self(x): the LightningModule's forward
        qualname = self.model.callee_qualname(call, self.model.scope_of(call))
        if qualname is not None:
            if not qualname.startswith("torch.") or qualname.rsplit(".", 1)[-1] in _GRAPH_FREE_FUNCTIONS:
                return False
            return any(self._carries_graph(arg.value, depth + 1) for arg in call.args)
        if (
            isinstance(func, cst.Attribute)
            and self_attribute(func, self.func) is None
            and not _is_self(func.value, self.self_name)
        ):
            return self._carries_graph(func.value, depth + 1)  # tensor methods: loss.mean(), out.float()
        return False  # user functions and helpers: unknown, stay silent

    def _is_module_attribute(self, func: cst.Attribute) -> bool:
        obj = self.model.object_of(func, self.func.scope)
        return obj.kind in ("model", "layer", "loss")

    # ----------------------------------------------------------------------------- grad mode
    def _grad_enabled_at(self, node: cst.CSTNode) -> bool:
        for ancestor in self.model.ancestors(node):
            if ancestor is self.func.node:
                break
            if isinstance(ancestor, cst.With):
                mode = self._with_grad_mode(ancestor)
                if mode is not None:
                    return mode
        return self.training or self.grad_by_decorator

    def _with_grad_mode(self, with_node: cst.With) -> Optional[bool]:
        for item in with_node.items:
            context = item.item
            if not isinstance(context, cst.Call):
                continue
            qualname = self.model.callee_qualname(context, self.func.scope)
            if qualname in _ENABLE_GRAD:
                return True
            if qualname in _NO_GRAD:
                return False
            if qualname in _SET_GRAD:
                flag = self.model.argument(context, 0, "mode")
                if isinstance(flag, cst.Name) and flag.value in ("True", "False"):
                    return flag.value == "True"
        return None

    def _decorated_with_enable_grad(self) -> bool:
        for decorator in self.func.node.decorators:
            target = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
            if self.model.qualname(target, self.func.outer) in _ENABLE_GRAD:
                return True
        return False


def _is_self(expr: cst.BaseExpression, name: Optional[str]) -> bool:
    return name is not None and isinstance(expr, cst.Name) and expr.value == name


def _items(expr: cst.BaseExpression) -> list:
    if isinstance(expr, (cst.List, cst.Tuple)):
        return [element.value for element in expr.elements if isinstance(element, cst.Element)]
    return [expr]


def _walk_statements(body: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Small statements of a function body, nested blocks included, nested functions and classes not."""
    for child in body.children:
        if isinstance(child, (cst.FunctionDef, cst.ClassDef)):
            continue
        yield child
        yield from _walk_statements(child)
