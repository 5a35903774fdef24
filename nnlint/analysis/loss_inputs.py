"""Questions about the tensors that reach a loss: which loss calls a file makes, what their prediction
passed through last (looking through clamping), and whether a value is a loss tensor that still holds
its autograd graph.

Built only on the public API of :class:`~nnlint.analysis.model.SemanticModel`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import AbstractSet, Dict, Iterator, Optional, Set, Tuple

import libcst as cst

from nnlint.analysis.branches import configuration_guards, guards_conflict
from nnlint.analysis.launchers import backpropagated_by_launcher
from nnlint.analysis.item_tails import Key, container_item, item_tail
from nnlint.analysis.loss_wrappers import wrapped_losses
from nnlint.analysis.model import Binding, CallInfo, FunctionInfo, Scope, SemanticModel, Tail

_CLAMP_FUNCTIONS = frozenset({"torch.clamp", "torch.clip", "torch.clamp_min", "torch.clamp_max"})
_CLAMP_METHODS = frozenset({"clamp", "clip", "clamp_", "clip_", "clamp_min", "clamp_max"})
# Methods that return a tensor still attached to the graph of their receiver.
_GRAPH_KEEPING_METHODS = frozenset(
    {"mean", "sum", "squeeze", "unsqueeze", "view", "reshape", "to", "cpu", "cuda", "float", "double", "clone", "abs"}
)
_GRAPH_DROPPING_METHODS = frozenset({"item", "detach", "tolist", "numpy", "detach_"})


@dataclass(frozen=True)
class LossCall:
    call: CallInfo
    family: str  # e.g. "bce", "nll", "mse" (torch_api.LOSS_* families)
    qualname: str  # the loss class or function, e.g. torch.nn.BCELoss
    wrapper: Optional[str] = None  # the user's loss module or function that computes it, if any
    prediction_slot: Tuple[Optional[int], Optional[str]] = (0, "input")
    target_slot: Tuple[Optional[int], Optional[str]] = (1, "target")
    # the item of the argument the library loss gets, through a wrapper (``output["exist"]``)
    prediction_key: Optional[Key] = None
    target_key: Optional[Key] = None
    chosen: bool = False  # one configuration's loss (loss_wrappers.WrappedLoss.chosen)

    @property
    def short_name(self) -> str:
        name = self.qualname.rsplit(".", 1)[-1]
        return f"{self.wrapper} (through {name})" if self.wrapper else name

    def prediction(self, model: SemanticModel) -> Optional[cst.BaseExpression]:
        """The expression the loss computes on (where the wrapper takes an item of an argument, that item of
        a literal ``(a, b)``/``{"k": v}`` passed; None for an item of anything else)."""
        return self._item(model, model.argument(self.call.node, *self.prediction_slot), self.prediction_key)

    def target(self, model: SemanticModel) -> Optional[cst.BaseExpression]:
        return self._item(model, model.argument(self.call.node, *self.target_slot), self.target_key)

    def _item(
        self, model: SemanticModel, expr: Optional[cst.BaseExpression], key: Optional[Key]
    ) -> Optional[cst.BaseExpression]:
        if key is None or expr is None:
            return expr
        return container_item(model, expr, key, self.call.scope, 0)

    def prediction_tail(self, model: SemanticModel, wanted: AbstractSet[str] = frozenset()) -> Tail:
        """What the tensor the loss computes on passed through last, also where that tensor is an item of the
        argument (``exist_loss(model(x), y)`` computing on ``output["exist"]``)."""
        argument = model.argument(self.call.node, *self.prediction_slot)
        if self.prediction_key is None or argument is None:
            return model.tail_of(argument, self.call.scope, training=True, wanted=wanted)
        return item_tail(model, argument, self.prediction_key, self.call.scope, True, 0, wanted)


def loss_calls(model: SemanticModel, *families: str) -> Iterator[LossCall]:
    """Every call computing a loss of one of the given families (all families when none given), also through
    a user's loss module or function that hands its prediction to the library loss (``FocalLoss()(out, y)``).

    Found once per model (five rules ask, each for its families) and filtered here."""
    found = model.cached_analysis("loss-calls", lambda: list(_all_loss_calls(model)))
    if not families:
        return iter(found)
    return (loss for loss in found if loss.family in families)


def _all_loss_calls(model: SemanticModel) -> Iterator[LossCall]:
    for call in model.calls:
        found = model.loss_kind(call.node, call.scope)
        if found is not None:
            family, qualname = found
            yield LossCall(call, family, qualname)
            continue
        if not _may_wrap_a_loss(model, call):
            continue
        for wrapped in wrapped_losses(model, call.node, call.scope):
            yield LossCall(
                call,
                wrapped.family,
                wrapped.qualname,
                wrapped.wrapper,
                wrapped.prediction,
                wrapped.target,
                wrapped.prediction_key,
                wrapped.target_key,
                wrapped.chosen,
            )


def _may_wrap_a_loss(model: SemanticModel, call: CallInfo) -> bool:
    """Cheap test before resolving the callee: a call given a prediction and a target, in a function (or the
    module's top level) that itself calls backward(): where a loss is computed for training; or a call a
    function returns (``return FocalLoss()(out, y)``): a loss helper whose callers train with its value."""
    if len(call.node.args) < 2 or not isinstance(call.node.func, (cst.Name, cst.Attribute, cst.Call)):
        return False
    if call.function is not None and isinstance(model.parent.get(call.node), cst.Return):
        return True
    # memoised per function (every call of a file asks it of its own function)
    known: Dict[Optional[int], bool] = model.cached_analysis("functions-calling-backward", dict)
    key = id(call.function) if call.function is not None else None
    answer = known.get(key)
    if answer is None:
        siblings = call.function.calls if call.function is not None else [c for c in model.calls if c.function is None]
        answer = known[key] = any(c.method_name == "backward" for c in siblings)
    return answer


def unclamped(
    model: SemanticModel, expr: Optional[cst.BaseExpression], scope: Scope, depth: int = 0
) -> Optional[cst.BaseExpression]:
    """The expression a value was clamped from (``out.clamp(0, 1)`` -> ``out``), through local names."""
    if expr is None or depth > 8:
        return expr
    if isinstance(expr, cst.Name):
        binding = model.lookup(expr.value, scope, model.order.get(expr))
        if binding is not None and binding.kind == "assign" and binding.index is None and binding.value is not None:
            inner = unclamped(model, binding.value, binding.scope, depth + 1)
            return inner if inner is not binding.value else expr
        return expr
    if isinstance(expr, cst.Call):
        func = expr.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value in _CLAMP_METHODS
            and model.qualname(func, scope) is None
        ):
            return unclamped(model, func.value, scope, depth + 1)
        if model.qualname(func, scope) in _CLAMP_FUNCTIONS:
            return unclamped(model, model.argument(expr, 0, "input"), scope, depth + 1)
    return expr


def tail_through_clamp(
    model: SemanticModel,
    expr: Optional[cst.BaseExpression],
    scope: Scope,
    wanted: AbstractSet[str] = frozenset(),
) -> Tail:
    """What a tensor passed through last, looking through ``clamp``/``clip`` (which rescale nothing)."""
    return model.tail_of(unclamped(model, expr, scope), scope, training=True, wanted=wanted)


def guards_can_hold(model: SemanticModel, tail: Tail, loss: CallInfo) -> bool:
    """The configuration under which the tensor takes its tail (``tail.guards``) does not contradict the one
    under which the loss call runs (``if self.use_logits: return out`` against
    ``if self.use_logits: loss = F.binary_cross_entropy_with_logits(...)``)."""
    if not tail.guards or loss.function is None:
        return True
    at_loss = configuration_guards(model, loss.node, loss.function)
    return not guards_conflict(tail.guards, at_loss or ())


def describe_tail(model: SemanticModel, tail: Tail) -> str:
    """``line 12`` / ``models.py:12`` for where a tail's operation is written (empty if unknown)."""
    if tail.node is None or tail.owner is None:
        return ""
    return tail.owner.where(tail.node, model)


def _backpropagated_binding(model: SemanticModel, binding: object) -> bool:
    """A value on which ``.backward()`` is called is a graph-attached loss, however it was computed; so is a
    container one of whose items is backpropagated (``output["loss"].backward()``)."""
    for call in model.calls_named("backward", "manual_backward"):
        tensor = backpropagated_by_launcher(model, call.node, call.scope) if call.method_name == "backward" else None
        if tensor is None:
            tensor = (
                call.receiver
                if call.method_name == "backward"
                else (call.node.args[0].value if call.node.args else None)
            )
        item = tensor if isinstance(tensor, cst.Subscript) else None
        while isinstance(tensor, cst.Subscript):  # `output["loss"].backward()`: the dict holds the live loss
            tensor = tensor.value
        if isinstance(tensor, cst.Name) and model.lookup(tensor.value, call.scope, model.order.get(tensor)) is binding:
            return item is None or not _item_replaced(model, item, call)
    return _handed_to_a_backward_helper(model, binding)


def _handed_to_a_backward_helper(model: SemanticModel, binding: object) -> bool:
    """``self._backward(loss, opt)`` whose body ends in ``loss.backward()`` (after ``loss *= mul`` at most): the
    value passed for that parameter is backpropagated."""
    helpers = model.cached_analysis("backward-helpers", lambda: _backward_helpers(model))
    if not helpers:
        return False
    for func, params in helpers.items():
        for call in model.callers(func):
            for param in params:
                arg = model.argument(call.node, func.param_index(param), param)
                if isinstance(arg, cst.Name) and model.lookup(arg.value, call.scope, model.order.get(arg)) is binding:
                    return True
    return False


def _backward_helpers(model: SemanticModel) -> Dict[FunctionInfo, Set[str]]:
    """Functions of this file that call ``.backward()`` on one of their parameters, rebound at most by
    augmented assignments (``loss *= mul``), with those parameters."""
    found: Dict[FunctionInfo, Set[str]] = {}
    for call in model.calls_named("backward"):
        func, receiver = call.function, call.receiver
        if func is None or call.method_name != "backward" or not isinstance(receiver, cst.Name):
            continue
        if receiver.value not in func.params or receiver.value == func.instance_param:
            continue
        kinds = {b.kind for b in func.scope.bindings.get(receiver.value, [])}
        if kinds <= {"param", "augassign"}:
            found.setdefault(func, set()).add(receiver.value)
    return found


def summed_into_backpropagated(model: SemanticModel, binding: Binding) -> bool:
    """A value a backpropagated loss is summed from (``losses = model.calculate_loss(x)``;
    ``loss = sum(losses) if isinstance(losses, tuple) else losses``; ``loss.backward()``): it holds the same
    graph, so keeping it keeps the graph."""
    return model.cached_analysis("summed-into-backward", lambda: _summed_sources(model)).get(id(binding), False)


def _summed_sources(model: SemanticModel) -> Dict[int, bool]:
    marked: Dict[int, bool] = {}
    for call in model.calls_named("backward"):
        tensor = call.receiver
        if call.method_name != "backward" or not isinstance(tensor, cst.Name):
            continue
        start = model.lookup(tensor.value, call.scope, model.order.get(tensor))
        if start is not None:
            _mark_summed_sources(model, start, marked, 0)
    return marked


def _mark_summed_sources(model: SemanticModel, binding: Binding, marked: Dict[int, bool], depth: int) -> None:
    if depth > 3 or binding.kind not in ("assign", "annassign") or binding.index is not None or binding.value is None:
        return
    for name in _summed_names(binding.value, 0):
        source = model.lookup(name.value, binding.scope, model.order.get(name))
        if source is not None and source is not binding and id(source) not in marked:
            marked[id(source)] = True
            _mark_summed_sources(model, source, marked, depth + 1)


def _summed_names(expr: cst.BaseExpression, depth: int) -> Iterator[cst.Name]:
    """The names a value is an alias, a conditional choice or a sum of (``a``, ``a if c else b``,
    ``a + b``, ``sum(a)``, ``a.sum()``, ``torch.stack(a).sum()``)."""
    if depth > 4:
        return
    if isinstance(expr, cst.Name):
        yield expr
    elif isinstance(expr, cst.IfExp):
        yield from _summed_names(expr.body, depth + 1)
        yield from _summed_names(expr.orelse, depth + 1)
    elif isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, (cst.Add, cst.Subtract)):
        yield from _summed_names(expr.left, depth + 1)
        yield from _summed_names(expr.right, depth + 1)
    elif isinstance(expr, cst.Call):
        func = expr.func
        if isinstance(func, cst.Name) and func.value == "sum" and expr.args:
            yield from _summed_names(expr.args[0].value, depth + 1)
        elif isinstance(func, cst.Attribute) and func.attr.value in ("sum", "mean") and not expr.args:
            yield from _summed_names(func.value, depth + 1)
        elif isinstance(func, cst.Attribute) and func.attr.value in ("stack", "cat") and expr.args:
            yield from _summed_names(expr.args[0].value, depth + 1)


def _item_replaced(model: SemanticModel, item: cst.Subscript, backward: CallInfo) -> bool:
    """The backpropagated item is assigned again later in the same scope
    (``output["loss"] = output["loss"].detach()``)."""
    after = model.order.get(backward.node, 0)
    for node in model.descendants(backward.scope.node, cst.Assign):
        if model.order.get(node, 0) <= after or model.scope_of(node) is not backward.scope:
            continue
        if any(isinstance(t.target, cst.Subscript) and t.target.deep_equals(item) for t in node.targets):  # type: ignore[attr-defined]
            return True
    return False


def is_live_loss(model: SemanticModel, expr: Optional[cst.BaseExpression], scope: Scope, depth: int = 0) -> bool:
    """Whether an expression is a loss tensor still attached to its autograd graph (not ``.item()``-ed)."""
    if expr is None or depth > 8:
        return False
    if isinstance(expr, cst.Name):
        return _live_binding(model, model.lookup(expr.value, scope, model.order.get(expr)), depth)
    if isinstance(expr, cst.BinaryOperation):
        return is_live_loss(model, expr.left, scope, depth + 1) or is_live_loss(model, expr.right, scope, depth + 1)
    if isinstance(expr, cst.UnaryOperation):
        return is_live_loss(model, expr.expression, scope, depth + 1)
    if isinstance(expr, cst.Call):
        func = expr.func
        if isinstance(func, cst.Attribute) and model.qualname(func, scope) is None:
            method = func.attr.value
            if method in _GRAPH_DROPPING_METHODS:
                return False
            if method in _GRAPH_KEEPING_METHODS:
                return is_live_loss(model, func.value, scope, depth + 1)
        return model.loss_kind(expr, scope) is not None
    return False


def _live_binding(model: SemanticModel, binding: Optional[Binding], depth: int) -> bool:
    """Whether the value a name gets at one binding is a graph-attached loss."""
    if binding is None or depth > 8:
        return False
    if binding.index is not None and binding.kind in ("assign", "unpack"):
        # `loss, mse, ce = loss_fn(...)`; `loss.backward()`, or `total = ce + mse`; `total.backward()`
        return _backpropagated_binding(model, binding) or summed_into_backpropagated(model, binding)
    if binding.index is not None or binding.kind not in ("assign", "augassign", "annassign", "walrus"):
        return False
    if binding.kind == "augassign":
        # `loss += extra` keeps whatever `loss` was: the value added, the earlier binding (`loss = ce(...)`;
        # `loss += reg`), or the sum itself backpropagated (`loss += reg`; `loss.backward()`)
        if is_live_loss(model, binding.value, binding.scope, depth + 1) or _backpropagated_binding(model, binding):
            return True
        earlier = model.lookup(binding.name, binding.scope, binding.order)
        return (
            earlier is not None
            and earlier is not binding
            and earlier.order < binding.order
            and _live_binding(model, earlier, depth + 1)
        )
    return (
        is_live_loss(model, binding.value, binding.scope, depth + 1)
        or _backpropagated_binding(model, binding)
        or summed_into_backpropagated(model, binding)
    )
