"""Output tails: what a tensor passed through last (an activation, a layer, a model's forward).

A part of :class:`~nnlint.analysis.model.SemanticModel` (which combines the parts); read through it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, AbstractSet, List, Optional

import libcst as cst

from nnlint.analysis import torch_api as api
from nnlint.analysis.branches import configuration_guards
from nnlint.analysis.item_tails import Key, item_tail, literal_key, returned_item, updated_source
from nnlint.analysis.packed_tails import PACKERS, packed_tail, sliced_tail
from nnlint.analysis.registry_uses import item_tail_of_alternatives
from nnlint.analysis.symbols import (
    _MAX_DEPTH,
    UNKNOWN_TAIL,
    Binding,
    FunctionInfo,
    Obj,
    Scope,
    Tail,
)

if TYPE_CHECKING:
    from nnlint.analysis.model import SemanticModel


class OutputTails:
    def tail_of(
        self: "SemanticModel",
        expr: Optional[cst.BaseExpression],
        scope: Scope,
        training: bool = True,
        _depth: int = 0,
        wanted: AbstractSet[str] = frozenset(),
    ) -> Tail:
        """What the tensor an expression holds passed through last (activation, layer, model output).

        ``wanted``: the tail kinds the caller looks for. Where the tensor may come from several objects
        (a model chosen in an ``if``/``else``, a parameter that callers pass different tensors or models
        to), the first alternative whose tail is wanted is returned; otherwise the usual single answer.
        """
        if expr is None or _depth > _MAX_DEPTH:
            return UNKNOWN_TAIL
        if isinstance(expr, cst.Name):
            binding = self.reaching_value(expr, scope)
            tail = self._binding_tail(binding, training, _depth, wanted)
            if wanted and tail.kind not in wanted and binding is not None:
                # `if transformer: out = model(x) else: out, h = model(x, h)`: the configuration whose tail is
                # wanted is one the script can run
                for other in self.alternative_bindings(expr, scope):
                    found = self._binding_tail(other, training, _depth, wanted) if other is not binding else tail
                    if found.kind in wanted:
                        return found
            return tail
        if isinstance(expr, cst.Call):
            return self._tail_of_call(expr, scope, training, _depth, wanted)
        if isinstance(expr, cst.Attribute) and expr.attr.value == "data":
            return self.tail_of(expr.value, scope, training, _depth + 1, wanted)  # legacy ``x.data``: the same values
        if isinstance(expr, cst.Attribute):
            return self._attribute_tail(expr, scope, training, _depth, wanted)
        if isinstance(expr, cst.Subscript):
            from nnlint.analysis.keyed_items import item_written_before  # built on the model's dataflow

            written = item_written_before(self, expr, scope)
            if written is not None:  # `outputs["hm"] = torch.sigmoid(outputs["hm"])` before this read
                return self.tail_of(written, scope, training, _depth + 1, wanted)
            key = literal_key(expr)
            if key is not None:  # `out["exist"]` of `return {"exist": torch.sigmoid(x)}`, `res[1]` of a tuple
                tail = item_tail(self, expr.value, key, scope, training, _depth + 1, wanted)
                if tail.kind != "unknown":
                    return tail
            return sliced_tail(self, expr, scope, training, _depth + 1)  # `pred[..., 4:]` of a torch.cat of parts
        return UNKNOWN_TAIL

    def _attribute_tail(
        self: "SemanticModel", expr: cst.Attribute, scope: Scope, training: bool, _depth: int, wanted: AbstractSet[str]
    ) -> Tail:
        """``self.fake_B`` of ``self.fake_B = self.netG(self.real_A)`` in another method of the class: the tail
        every assignment of the attribute agrees on (or, with ``wanted``, the first wanted one)."""
        from nnlint.analysis.values import self_attribute_values  # values is built on the model's queries

        tails = {
            tail.kind: tail
            for tail in (
                owner.tail_of(value, value_scope, training, _depth + 1, wanted)
                for value, value_scope, owner in self_attribute_values(self, expr, scope)
            )
        }
        if len(tails) == 1:
            return next(iter(tails.values()))
        return next((tail for kind, tail in tails.items() if kind in wanted), UNKNOWN_TAIL)

    def _binding_tail(
        self: "SemanticModel", binding: Optional[Binding], training: bool, _depth: int, wanted: AbstractSet[str]
    ) -> Tail:
        """The tail of what one binding of a name holds."""
        if (
            binding is not None
            and binding.kind in ("assign", "unpack")
            and binding.index is not None
            and len(binding.index) == 1
            and isinstance(binding.value, cst.Call)
        ):
            return self._element_tail(
                binding.value, binding.index[0], binding.scope, training, _depth + 1, wanted
            )  # `out, aux = model(x)`
        if binding is not None and binding.kind == "for" and binding.index is None:
            rows = self.tail_of(binding.value, binding.scope, training, _depth + 1, wanted)
            return rows if _kept_by_rows(rows) else UNKNOWN_TAIL  # `for out in torch.softmax(s, -1)`
        if binding is None or binding.kind not in ("assign", "annassign", "walrus") or binding.index is not None:
            if binding is not None and binding.kind == "param" and binding.scope.function is not None:
                tails = {
                    t.kind: t
                    for t in (
                        owner.tail_of(arg, s, training, _depth + 1, wanted)
                        for arg, s, owner in self.passed_arguments(binding.scope.function, binding.name)
                    )
                }
                if len(tails) == 1:
                    return next(iter(tails.values()))
                for kind, tail in tails.items():
                    if kind in wanted:
                        return tail  # one caller passes the tensor the caller looks for
            return UNKNOWN_TAIL
        return self.tail_of(binding.value, binding.scope, training, _depth + 1, wanted)

    def _tail_of_call(
        self: "SemanticModel", call: cst.Call, scope: Scope, training: bool, depth: int, wanted: AbstractSet[str]
    ) -> Tail:
        func = call.func
        qualname = self.callee_qualname(call, scope)
        if qualname is not None:
            if qualname in api.ACTIVATION_FUNCTIONS:
                kind = api.ACTIVATION_FUNCTIONS[qualname]
                if (
                    kind == "exp"
                    and self.tail_of(self.argument(call, 0, "input"), scope, training, depth + 1).kind == "log_softmax"
                ):
                    kind = "softmax"  # exp(log_softmax(x)) is softmax(x)
                return Tail(kind, call, self)
            if qualname in api.PASS_THROUGH_FUNCTIONS:
                return self.tail_of(self.argument(call, 0, "input"), scope, training, depth + 1, wanted)
            if qualname in PACKERS:
                return packed_tail(self, call, scope, training, depth + 1)
        if isinstance(func, cst.Attribute) and qualname is None:
            method = func.attr.value
            if method in api.ACTIVATION_METHODS:
                receiver_obj = self.object_of(func.value, scope)
                # `x.softmax(1)` is the tensor method; `self.softmax(x)` calls the module stored under that name
                if receiver_obj.kind == "unknown" and self.object_of(func, scope).kind == "unknown":
                    kind = api.ACTIVATION_METHODS[method]
                    if kind == "exp" and self.tail_of(func.value, scope, training, depth + 1).kind == "log_softmax":
                        kind = "softmax"
                    return Tail(kind, call, self)
            if method in api.PASS_THROUGH_METHODS:
                receiver_obj = self.object_of(func.value, scope)
                if receiver_obj.kind == "unknown":
                    return self.tail_of(func.value, scope, training, depth + 1, wanted)
        obj = self.called_object(call, scope)
        is_module = obj.kind in ("model", "layer")
        tail = self._module_call_tail(obj, training, depth, wanted) if is_module else UNKNOWN_TAIL
        if wanted and tail.kind not in wanted and (is_module or obj.kind == "unknown"):
            # a module chosen by configuration (`if transformer: model = A() else: model = B()`), also where
            # the binding that reaches the call holds something unknown (`model = torch.load(f)` later)
            for alternative in self.object_alternatives(func, scope):
                if alternative.node is not obj.node:
                    found = self._module_call_tail(alternative, training, depth, wanted)
                    if found.kind in wanted:
                        return found
        if is_module:
            return tail
        target = self.resolve_function(func, scope)
        if target is not None:
            owner = self.owner_of(target)
            if owner is not None:
                return owner.function_tail(target, training, depth + 1, None, wanted)
            return UNKNOWN_TAIL
        if obj.kind == "unknown":
            return self._handed_layer_tail(call, scope, training, depth)
        return UNKNOWN_TAIL

    def _module_call_tail(
        self: "SemanticModel", obj: Obj, training: bool, depth: int, wanted: AbstractSet[str]
    ) -> Tail:
        tail = self.output_tail(obj, training, depth + 1, wanted)
        if obj.kind == "model" and tail.via_model is None:
            return replace(tail, via_model=obj, packed=False)
        return tail

    def _handed_layer_tail(self: "SemanticModel", call: cst.Call, scope: Scope, training: bool, depth: int) -> Tail:
        """A wrapper out of sight given a tensor and the one layer to run on it (``ConcreteDropout()(x, layer)``,
        ``checkpoint(block, x)``) returns what that layer returns."""
        handed = [
            obj
            for obj in (self.object_of(arg.value, scope) for arg in call.args if arg.star == "")
            if obj.kind in ("model", "layer")
        ]
        if len(handed) != 1 or len(call.args) < 2:
            return UNKNOWN_TAIL
        return self.output_tail(handed[0], training, depth + 1)

    def _element_tail(
        self: "SemanticModel",
        call: cst.Call,
        element: Key,
        scope: Scope,
        training: bool,
        depth: int,
        wanted: AbstractSet[str] = frozenset(),
    ) -> Tail:
        """The tail of one element of the tuple (or one key of the dict) a model's forward (or a user
        function) returns."""
        if depth > _MAX_DEPTH:
            return UNKNOWN_TAIL
        obj = self.called_object(call, scope)
        target: Optional[FunctionInfo] = None
        if obj.kind == "model" and obj.cls is not None:
            target = (obj.owner or self).method_of(obj.cls, "forward")
        elif obj.kind == "model":
            built = item_tail_of_alternatives(obj, element, training, depth, wanted)  # one of a registry's classes
            return built if built is not None else UNKNOWN_TAIL
        elif obj.kind == "unknown":
            target = self.resolve_function(call.func, scope)
        if target is None:
            return UNKNOWN_TAIL
        owner = target.cls.owner if target.cls is not None else self.owner_of(target)
        if owner is None:
            return UNKNOWN_TAIL
        tail = owner.function_tail(target, training, depth + 1, element, wanted)
        if obj.kind == "model" and tail.via_model is None and tail.kind != "unknown":
            return replace(tail, via_model=obj, packed=False)
        return tail

    def output_tail(
        self: "SemanticModel", obj: Obj, training: bool = True, depth: int = 0, wanted: AbstractSet[str] = frozenset()
    ) -> Tail:
        """What a module object's output passes through last."""
        if depth > _MAX_DEPTH:
            return UNKNOWN_TAIL
        owner = obj.owner or self
        if obj.cls is not None:
            forward = owner.method_of(obj.cls, "forward")
            if forward is None:
                return Tail("model", None, owner, obj)
            forward_owner = forward.cls.owner if forward.cls is not None else owner
            return forward_owner.function_tail(forward, training, depth + 1, None, wanted)
        if obj.qualname in api.ACTIVATION_CLASSES:
            return Tail(api.ACTIVATION_CLASSES[obj.qualname], obj.node, owner, None, obj.qualname)
        if obj.qualname in _LINEAR_LAYERS:
            return Tail("linear", obj.node, owner, None, obj.qualname)
        if obj.qualname == api.NN + "Sequential" and isinstance(obj.node, cst.Call) and obj.scope is not None:
            for element, scope, element_owner in reversed(owner.module_elements(obj)):
                element_obj = element_owner.object_of(element, scope, depth + 1)
                if element_obj.kind == "unknown":
                    return UNKNOWN_TAIL
                tail = element_owner.output_tail(element_obj, training, depth + 1)
                if tail.kind == "identity":
                    continue
                return tail
            return UNKNOWN_TAIL
        if obj.kind == "model":
            return Tail("model", obj.node, owner, obj)
        return UNKNOWN_TAIL

    def function_tail(
        self: "SemanticModel",
        func: FunctionInfo,
        training: bool = True,
        depth: int = 0,
        element: Optional[Key] = None,
        wanted: AbstractSet[str] = frozenset(),
    ) -> Tail:
        """The tail shared by every return of a function on the training (or evaluation) path
        (of the ``element``-th item, where it returns a tuple; of a key, where it returns a dict). Returns
        that disagree give no answer where the arguments choose between them (``if return_probs: ...``);
        where only the configuration does
        (``if self.method == "binary": return torch.sigmoid(out)``), the first ``wanted`` one, with the
        :class:`~nnlint.analysis.branches.Guard` tests it runs under (the consumer checks they can hold)."""
        tails: List[Tail] = []
        taken: List[cst.Return] = []
        for ret in func.returns:
            if not self._return_reachable(ret, func, training):
                continue
            value = ret.value
            if element is not None:
                value = returned_item(self, func, ret.value, element)
                if value is None:
                    source = updated_source(self, func, ret.value, element)  # `output.update(self.exist(x))`
                    if source is None:
                        return UNKNOWN_TAIL
                    tails.append(item_tail(self, source, element, func.scope, training, depth + 1, wanted))
                    taken.append(ret)
                    continue
            elif isinstance(value, cst.Tuple):
                item = value.elements[0] if value.elements else None
                value = None if item is None or isinstance(item, cst.StarredElement) else item.value
            tails.append(self.tail_of(value, func.scope, training, depth + 1, wanted))
            taken.append(ret)
        kinds = {t.kind for t in tails}
        if len(kinds) == 1:
            return tails[0]
        for tail, ret in zip(tails, taken):
            if tail.kind in wanted:
                guards = configuration_guards(self, ret, func)
                if guards and not any(g.test.endswith(".training") and g.holds != training for g in guards):
                    return replace(tail, guards=tail.guards + guards)  # (after `if self.training: return ...`)
        return UNKNOWN_TAIL

    def _return_reachable(self: "SemanticModel", ret: cst.Return, func: FunctionInfo, training: bool) -> bool:
        """False for a return guarded by ``if not self.training`` (on the training path) or vice versa."""
        child: cst.CSTNode = ret
        for ancestor in self.ancestors(ret):
            if ancestor is func.node:
                break
            if isinstance(ancestor, cst.If):
                polarity = _training_test(ancestor.test)
                if polarity is not None:
                    in_body = child is ancestor.body
                    taken_when_training = polarity if in_body else not polarity
                    if taken_when_training != training:
                        return False
            child = ancestor
        return True


_LINEAR_LAYERS = frozenset(
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
    )
)


def _training_test(test: cst.BaseExpression) -> Optional[bool]:
    """True for ``self.training``, False for ``not self.training``, None for anything else."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = _training_test(test.expression)
        return None if inner is None else not inner
    if isinstance(test, cst.Attribute) and test.attr.value == "training":
        return True
    return None


_ELEMENTWISE_TAILS = frozenset(
    {"sigmoid", "tanh", "hardtanh", "relu", "softplus", "elu", "gelu", "silu", "leaky_relu", "exp"}
)


def _kept_by_rows(tail: Tail) -> bool:
    """Iterating a tensor yields its slices along dim 0: an elementwise activation holds in each of them, a
    softmax only when it normalised another dimension (a literal ``dim`` other than 0)."""
    if tail.kind in _ELEMENTWISE_TAILS:
        return True
    if tail.kind not in ("softmax", "log_softmax") or not isinstance(tail.node, cst.Call):
        return False
    for arg in tail.node.args:
        value = arg.value
        if arg.keyword is not None and arg.keyword.value != "dim":
            continue
        if isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Minus):
            return isinstance(value.expression, cst.Integer)
        if isinstance(value, cst.Integer):
            return value.value != "0"
    return False
