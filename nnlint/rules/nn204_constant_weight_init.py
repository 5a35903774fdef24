from __future__ import annotations

from typing import FrozenSet, List, Optional, Tuple

import libcst as cst

from nnlint.analysis import torch_api as api
from nnlint.analysis.guards import possible_objects
from nnlint.analysis.imports import dotted_name
from nnlint.analysis.model import CallInfo, ClassInfo, Obj, SemanticModel
from nnlint.context import RuleContext
from nnlint.rule import Rule

_INIT = "torch.nn.init."
# constant initialisers -> the value they write (None: their second argument)
_CONSTANT_INITS = {_INIT + "zeros_": 0.0, _INIT + "ones_": 1.0, _INIT + "constant_": None, _INIT + "constant": None}
_FILL_METHODS = {"zero_": 0.0, "fill_": None}
_CONSTANT_TENSORS = {"torch.zeros": 0.0, "torch.ones": 1.0, "torch.full": None}
_PARAMETER = "torch.nn.Parameter"

# Layers whose `weight` is a matrix of units: a constant makes the units identical.
_WEIGHT_LAYERS: FrozenSet[str] = frozenset(
    api.NN + n
    for n in (
        "Linear",
        "LazyLinear",
        "Bilinear",
        "Conv1d",
        "Conv2d",
        "Conv3d",
        "ConvTranspose1d",
        "ConvTranspose2d",
        "ConvTranspose3d",
        "LazyConv1d",
        "LazyConv2d",
        "LazyConv3d",
        "Embedding",
        "EmbeddingBag",
        "RNN",
        "LSTM",
        "GRU",
        "RNNCell",
        "LSTMCell",
        "GRUCell",
    )
)
_WEIGHT_NAMES = frozenset({"weight", "weights", "w", "kernel"})


def _is_weight_attr(name: str) -> bool:
    lowered = name.lower()
    return (
        lowered in _WEIGHT_NAMES
        or lowered.startswith("weight")
        or lowered.endswith("_weight")
        or lowered.startswith("w_")
    )


class ConstantWeightInit(Rule):
    """## What it does
    Finds layer weights (not biases, not normalisation scales) initialised to zeros or to one constant:
    `nn.init.zeros_(layer.weight)`, `nn.init.constant_(layer.weight, 0.5)`, `layer.weight.data.fill_(0.01)`,
    `layer.weight.data.zero_()`, and hand-written weight matrices `nn.Parameter(torch.zeros(out, in))`.
    Layers are found through `model.apply(init_fn)` hooks guarded by `isinstance(m, nn.Linear)`, loops
    over layers, and attributes of model classes.

    ## Why is this bad?
    When every unit of a layer starts with the same weights, every unit computes the same output and
    receives the same gradient, so they stay identical for the whole training: the layer behaves like a
    single unit (symmetry is never broken). With zeros and ReLU the gradient is zero as well and the
    layer never learns at all. The loss still goes down a little, so the bug is easy to miss.

    ## Example
    ```python
    import torch.nn as nn

    def init_weights(m):
        if isinstance(m, nn.Linear):
            nn.init.zeros_(m.weight)
            nn.init.zeros_(m.bias)

    model = nn.Sequential(nn.Linear(12, 32), nn.ReLU(), nn.Linear(32, 3))
    model.apply(init_weights)
    ```

    ## Use instead
    ```python
    import torch.nn as nn

    def init_weights(m):
        if isinstance(m, nn.Linear):
            nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm1d):
            nn.init.constant_(m.weight, 1)
            nn.init.constant_(m.bias, 0)

    model = nn.Sequential(nn.Linear(12, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Linear(32, 3))
    model.apply(init_weights)
    ```

    ## How to fix
    Use a random initialiser for weights (`kaiming_uniform_`/`kaiming_normal_` for ReLU networks,
    `xavier_uniform_` for tanh/sigmoid, `normal_(0, 0.02)`, or simply PyTorch's default). Constants are
    right for biases, normalisation layers (weight 1, bias 0), and the last BatchNorm of a residual
    branch (`zero_init_residual`), which nnlint does not flag. Zeros are also left alone on layers whose output
    does not visibly feed an activation (output, gating and adapter layers such as LoRA's `B` or adaLN-Zero),
    where the symmetry is broken by the random layers around them.
    """

    code = "NN204"
    name = "constant-weight-init"
    summary = "layer weights initialised to zeros or one constant: units stay identical (symmetry never breaks)"

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        for call in model.calls:
            found = self._init_target(model, call)
            if found is not None:
                target, value = found
                holder = target.value if isinstance(target, cst.Attribute) else None
                if holder is None:
                    continue
                layers = possible_objects(model, holder, call.scope, call.node)
                if not layers or any(o.kind != "layer" or o.qualname not in _WEIGHT_LAYERS for o in layers):
                    continue  # unknown holder, a norm layer, a custom module: stay silent
                if value == 0.0:
                    # zeros are a deliberate choice for output, gating and adapter layers (LoRA's B, adaLN,
                    # zero convolutions, Fixup's classifier): flag a zeroed layer only where its output
                    # visibly feeds an activation
                    concrete = [o for o in layers if o.node is not None]
                    if not concrete:  # a type guard: the layers of that type in the model(s) it is applied to
                        kinds = {o.qualname for o in layers}
                        concrete = [
                            o
                            for m in _initialised_models(model, call)
                            for o in model.layers_of(m)
                            if o.qualname in kinds
                        ]
                    if not any(o.node is not None and _feeds_activation(o) for o in concrete):
                        continue
                names = sorted({o.qualname.rsplit(".", 1)[-1] for o in layers if o.qualname})
                self._report(ctx, call.node, model.module.code_for_node(target), value, "/".join(names))
                continue
            self._check_parameter(ctx, model, call)

    @staticmethod
    def _init_target(model: SemanticModel, call: CallInfo) -> Optional[Tuple[cst.BaseExpression, Optional[float]]]:
        """(the weight expression, the constant) for `nn.init.zeros_(w)` / `w.data.fill_(c)` style calls."""
        qualname = model.callee_qualname(call.node, call.scope)
        target: Optional[cst.BaseExpression] = None
        value: Optional[float] = None
        if qualname in _CONSTANT_INITS:
            target = model.argument(call.node, 0, "tensor")
            value = _CONSTANT_INITS[qualname]
            if value is None:
                value = model.number(model.argument(call.node, 1, "val"), call.scope)
        elif qualname is None and call.method_name in _FILL_METHODS and call.receiver is not None:
            target = call.receiver
            value = _FILL_METHODS[call.method_name]
            if value is None:
                value = model.number(model.argument(call.node, 0, "value"), call.scope)
        else:
            return None
        while isinstance(target, cst.Attribute) and target.attr.value == "data":
            target = target.value
        if not isinstance(target, cst.Attribute) or not _is_weight_attr(target.attr.value):
            return None
        return target, value

    def _check_parameter(self, ctx: RuleContext, model: SemanticModel, call: CallInfo) -> None:
        """`self.weight = nn.Parameter(torch.zeros(out, in))` in a module class, never re-initialised."""
        if model.callee_qualname(call.node, call.scope) != _PARAMETER:
            return
        func = call.function
        if func is None or func.cls is None or not model.is_module_class(func.cls):
            return
        statement = model.parent.get(call.node)
        if not isinstance(statement, cst.Assign) or len(statement.targets) != 1:
            return
        target = statement.targets[0].target
        if not (
            isinstance(target, cst.Attribute)
            and isinstance(target.value, cst.Name)
            and target.value.value == func.params[0]
        ):
            return
        if not _is_weight_attr(target.attr.value):
            return
        data = model.argument(call.node, 0, "data")
        if not isinstance(data, cst.Call):
            return
        maker = model.callee_qualname(data, call.scope)
        if maker not in _CONSTANT_TENSORS or _rank(model, data, maker) < 2:
            return
        value = _CONSTANT_TENSORS[maker]
        if value is None:
            value = model.number(model.argument(data, 1, "fill_value"), call.scope)
        if _reinitialised(model, func.cls, target.attr.value):
            return
        self._report(ctx, call.node, model.module.code_for_node(target), value, func.cls.name)

    def _report(self, ctx: RuleContext, node: cst.CSTNode, target: str, value: Optional[float], layer: str) -> None:
        constant = "zeros" if value == 0.0 else (f"the constant {value:g}" if value is not None else "one constant")
        ctx.report(
            node,
            f"{target} ({layer}) is initialised to {constant}: every unit starts identical and gets the same "
            "gradient, so they never differ; use a random init (kaiming_/xavier_/normal_) for weights",
            evidence={"value": value, "layer": layer},
        )


def _rank(model: SemanticModel, call: cst.Call, maker: str) -> int:
    """Number of dimensions of a torch.zeros/ones/full call's size argument (0 when unknown)."""
    if maker == "torch.full":
        size = model.argument(call, 0, "size")
        return len(size.elements) if isinstance(size, (cst.Tuple, cst.List)) else 0
    positional = [arg for arg in call.args if arg.keyword is None]
    if any(arg.star for arg in positional):
        return 0
    if len(positional) == 1 and isinstance(positional[0].value, (cst.Tuple, cst.List)):
        return len(positional[0].value.elements)
    return len(positional)


def _reinitialised(model: SemanticModel, cls: ClassInfo, attr: str) -> bool:
    """Whether some method of the class writes `self.<attr>` again with any initialiser or in-place op."""
    for method in cls.methods.values():
        owner = method.params[0] if method.params else "self"
        wanted = f"{owner}.{attr}"
        for call in method.calls:
            qualname = model.callee_qualname(call.node, call.scope) or ""
            first = call.node.args[0].value if call.node.args else None
            if qualname.startswith(_INIT) and first is not None and _strip_data(first) == wanted:
                return True
            receiver = call.receiver
            if (
                receiver is not None
                and call.method_name
                and call.method_name.endswith("_")
                and _strip_data(receiver) == wanted
            ):
                return True
    return False


def _strip_data(expr: cst.BaseExpression) -> Optional[str]:
    while isinstance(expr, cst.Attribute) and expr.attr.value == "data":
        expr = expr.value
    return dotted_name(expr)


def _initialised_models(model: SemanticModel, call: CallInfo) -> List[Obj]:
    """The models an init function reaches: ``model.apply(init_fn)``, or ``for m in self.modules()``."""
    func = call.function
    if func is None:
        return []
    found: List[Obj] = []
    if func.cls is not None and func.params and model.is_module_class(func.cls):
        for loop in call.loops:
            iterable = loop.iter
            if (
                isinstance(iterable, cst.Call)
                and isinstance(iterable.func, cst.Attribute)
                and iterable.func.attr.value in ("modules", "children")
            ):
                receiver = iterable.func.value
                if isinstance(receiver, cst.Name) and receiver.value == func.params[0]:
                    found.append(Obj("model", None, func.cls.node, func.cls, model, func.cls.scope))
    for other in model.calls:
        if other.method_name != "apply" or not other.node.args or other.receiver is None:
            continue
        if model.resolve_function(other.node.args[0].value, other.scope) is not func:
            continue
        receiver = other.receiver
        method = other.function
        if (
            isinstance(receiver, cst.Name)
            and method is not None
            and method.cls is not None
            and method.params
            and receiver.value == method.params[0]
        ):
            found.append(Obj("model", None, method.cls.node, method.cls, model, method.cls.scope))
            continue
        target = model.object_of(receiver, other.scope)
        if target.kind == "model":
            found.append(target)
    return found


_NOT_ACTIVATIONS = frozenset({"identity", "linear", "softmax", "log_softmax"})


def _is_activation(model: SemanticModel, call: cst.Call, scope) -> bool:
    qualname = model.callee_qualname(call, scope)
    if qualname in api.ACTIVATION_FUNCTIONS:
        return api.ACTIVATION_FUNCTIONS[qualname] not in _NOT_ACTIVATIONS
    if (
        isinstance(call.func, cst.Attribute)
        and qualname is None
        and call.func.attr.value in ("relu", "relu_", "tanh", "sigmoid")
    ):
        return True
    obj = model.object_of(call.func, scope)
    return obj.kind == "layer" and api.ACTIVATION_CLASSES.get(obj.qualname or "", "identity") not in _NOT_ACTIVATIONS


def _feeds_activation(layer: Obj) -> bool:
    """Whether a layer's output goes through a nonlinearity: it is a hidden layer, not an output/branch layer."""
    owner, node = layer.owner, layer.node
    if owner is None or node is None:
        return False
    for call in owner.calls:  # an element of an nn.Sequential: look at what follows it
        if owner.callee_qualname(call.node, call.scope) != api.NN + "Sequential":
            continue
        elements = [arg.value for arg in call.node.args if arg.keyword is None and not arg.star]
        objects = [owner.object_of(element, call.scope) for element in elements]
        positions = [i for i, obj in enumerate(objects) if obj.node is node]
        if not positions:
            continue
        for following in objects[positions[0] + 1 :]:
            kind = owner.output_tail(following).kind if following.kind == "layer" else "unknown"
            if kind == "identity":
                continue
            if kind not in _NOT_ACTIVATIONS and kind not in ("unknown", "model"):
                return True
            break
    statement = owner.parent.get(node)
    if not isinstance(statement, cst.Assign) or len(statement.targets) != 1:
        return False
    target = statement.targets[0].target
    func = owner.function_of(statement)
    if not isinstance(target, cst.Attribute) or func is None or func.cls is None:
        return False
    attr = target.attr.value
    for method in func.cls.methods.values():
        for call in method.calls:
            callee = call.node.func
            if not (
                isinstance(callee, cst.Attribute) and callee.attr.value == attr and isinstance(callee.value, cst.Name)
            ):
                continue
            if method.params and callee.value.value != method.params[0]:
                continue
            if _result_activated(owner, call.node, call.scope):
                return True
    return False


def _result_activated(model: SemanticModel, call: cst.Call, scope) -> bool:
    """``act(self.fc(x))``, or ``h = self.fc(x)`` followed by ``act(h)`` in the same function."""
    parent = model.parent.get(call)
    outer = model.parent.get(parent) if isinstance(parent, cst.Arg) else None
    if isinstance(outer, cst.Call) and _is_activation(model, outer, scope):
        return True
    if isinstance(parent, cst.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0].target, cst.Name):
        name = parent.targets[0].target.value
        func = scope.function
        for other in func.calls if func is not None else []:
            if model.order[other.node] > model.order[parent] and _is_activation(model, other.node, other.scope):
                first = other.node.args[0].value if other.node.args else None
                if isinstance(first, cst.Name) and first.value == name:
                    return True
    return False
