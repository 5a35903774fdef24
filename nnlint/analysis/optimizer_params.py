"""Which parameters an optimizer holds, as far as the source shows: the ``X.parameters()`` expressions
it is built over (param groups included), layer replacements after it was built, and freezing.

Built only on the public API of :class:`~nnlint.analysis.model.SemanticModel`. Models are compared by
their spelling within one scope (``model``, ``self.model``), which is what the idioms rely on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple, cast

import libcst as cst

from nnlint.analysis import torch_api as api
from nnlint.analysis.imports import dotted_name
from nnlint.analysis.model import CallInfo, ClassInfo, Obj, Scope, SemanticModel

_PARAMETER_METHODS = frozenset({"parameters", "named_parameters"})
_PARAMETERLESS_FRAGMENTS = (
    "Pool",
    "Upsample",
    "Flatten",
    "Unflatten",
    "PixelShuffle",
    "PixelUnshuffle",
    "Pad",
    "Identity",
    "Softmax",
    "ChannelShuffle",
)


@dataclass(frozen=True)
class ParameterSource:
    """``<module>.parameters()`` inside an optimizer's arguments; ``module`` is its spelling (None if not a dotted
    name)."""

    module: Optional[str]
    node: cst.Call


@dataclass
class OptimizerBuild:
    call: CallInfo
    sources: List[ParameterSource]

    @property
    def order(self) -> int:
        return self.call.order

    def covers(self, module: str) -> bool:
        """Whether the optimizer holds ``module``'s parameters (all of the model's, or that submodule's)."""
        return any(
            s.module is not None and (module == s.module or module.startswith(s.module + ".")) for s in self.sources
        )


def _parameter_calls(model: SemanticModel, expr: cst.CSTNode) -> List[cst.Call]:
    return [
        call
        for call in cast(List[cst.Call], model.descendants(expr, cst.Call))
        if isinstance(call.func, cst.Attribute) and call.func.attr.value in _PARAMETER_METHODS
    ]


def parameter_sources(
    model: SemanticModel, expr: Optional[cst.BaseExpression], scope: Scope, depth: int = 0
) -> List[ParameterSource]:
    """The ``X.parameters()`` calls an optimizer's ``params`` argument is built from (through local names)."""
    if expr is None or depth > 4:
        return []
    if isinstance(expr, cst.Name):
        binding = model.lookup(expr.value, scope, model.order.get(expr))
        if binding is not None and binding.kind == "assign" and binding.index is None:
            return parameter_sources(model, binding.value, binding.scope, depth + 1)
        return []
    sources = [ParameterSource(dotted_name(call.func.value), call) for call in _parameter_calls(model, expr)]  # type: ignore[attr-defined]
    for name in _names_in(expr):
        sources.extend(parameter_sources(model, name, scope, depth + 1))
    return sources


def _names_in(expr: cst.BaseExpression) -> List[cst.Name]:
    """Bare names used as values inside a list/dict/call argument (``[{"params": head_params}]``)."""
    found: List[cst.Name] = []
    if isinstance(expr, (cst.List, cst.Tuple)):
        for element in expr.elements:
            found.extend(_names_in(element.value))
    elif isinstance(expr, cst.Dict):
        for item in expr.elements:
            if isinstance(item, cst.DictElement):
                found.extend(_names_in(item.value))
    elif isinstance(expr, cst.Call) and model_free_wrapper(expr):
        for arg in expr.args:
            found.extend(_names_in(arg.value))
    elif isinstance(expr, cst.BinaryOperation):
        found.extend(_names_in(expr.left) + _names_in(expr.right))
    elif isinstance(expr, cst.Name):
        found.append(expr)
    return found


def model_free_wrapper(call: cst.Call) -> bool:
    """``list(...)``, ``filter(...)``, ``itertools.chain(...)``: wrappers that pass parameters through."""
    name = dotted_name(call.func)
    return name in ("list", "tuple", "filter", "chain", "itertools.chain")


def optimizer_builds(model: SemanticModel) -> List[OptimizerBuild]:
    builds: List[OptimizerBuild] = []
    for call in model.calls:
        if model.callee_qualname(call.node, call.scope) in api.OPTIMIZERS:
            params = model.argument(call.node, 0, "params")
            builds.append(OptimizerBuild(call, parameter_sources(model, params, call.scope)))
    return builds


def has_parameters(obj: Obj) -> bool:
    """Whether a module object (probably) owns parameters: not an activation, dropout, pooling, reshape..."""
    if obj.kind == "model":
        return True
    if obj.kind != "layer" or obj.qualname is None:
        return False
    if obj.qualname == api.NN + "PReLU":
        return True
    if obj.qualname in api.ACTIVATION_CLASSES or obj.qualname in api.DROPOUT_CLASSES:
        return False
    short = obj.qualname.rsplit(".", 1)[-1]
    return not any(fragment in short for fragment in _PARAMETERLESS_FRAGMENTS)


def trainable_submodules(model: SemanticModel, cls: ClassInfo) -> List[str]:
    """Attributes of a model class holding parameterised modules that its ``forward`` uses."""
    owner = cls.owner
    forward = owner.method_of(cls, "forward")
    if forward is None:
        return []
    forward_source = (forward.cls.owner if forward.cls else owner).module.code_for_node(forward.node)
    names: List[str] = []
    for candidate in [cls, *owner.base_classes(cls)]:
        for attr, bindings in candidate.attributes.items():
            if f"self.{attr}" not in forward_source or attr in names:
                continue
            objs = [candidate.owner.object_of(b.value, b.scope) for b in bindings]
            if objs and all(has_parameters(obj) for obj in objs):
                names.append(attr)
    return names


def mentions_freezing(model: SemanticModel, node: cst.CSTNode, in_forward: bool = False) -> bool:
    """Freezing written in the source: ``x.requires_grad = ...``, ``x.requires_grad_(...)``, ``x.freeze()``;
    with ``in_forward``, also the forward-pass forms ``.detach()`` and ``torch.no_grad()``."""
    methods = {"requires_grad_", "freeze"} | (
        {"detach", "detach_", "no_grad", "inference_mode"} if in_forward else set()
    )
    for assign in model.descendants(node, cst.Assign):
        if any(isinstance(t.target, cst.Attribute) and t.target.attr.value == "requires_grad" for t in assign.targets):  # type: ignore[attr-defined]
            return True
    return any(
        isinstance(call.func, cst.Attribute) and call.func.attr.value in methods  # type: ignore[attr-defined]
        for call in model.descendants(node, cst.Call)
    )


def replaced_module(model: SemanticModel, statement: cst.Assign, scope: Scope) -> Optional[Tuple[str, str]]:
    """``(model spelling, replaced part spelling)`` for ``model.fc = nn.Linear(...)`` /
    ``model[-1] = nn.Linear(...)``."""
    if len(statement.targets) != 1:
        return None
    target = statement.targets[0].target
    if isinstance(target, cst.Attribute):
        base = dotted_name(target.value)
        part = dotted_name(target)
    elif isinstance(target, cst.Subscript):
        base = dotted_name(target.value)
        part = model.module.code_for_node(target)
    else:
        return None
    if base is None or part is None:
        return None
    if _uses_module_itself(model, statement.value, part):
        return None  # `model.fc = nn.Sequential(nn.Dropout(0.5), model.fc)`: the old parameters stay, still optimised
    if model.object_of(target.value, scope).kind != "model":
        return None
    if not has_parameters(model.object_of(statement.value, scope)):
        return None
    return base, part


def _uses_module_itself(model: SemanticModel, value: cst.BaseExpression, part: str) -> bool:
    """Whether ``value`` contains the module ``part`` itself (not merely ``part.in_features``)."""
    for node in model.descendants(value, cst.Attribute):
        parent = model.parent.get(node)
        if dotted_name(node) == part and not (isinstance(parent, cst.Attribute) and parent.value is node):  # type: ignore[arg-type]
            return True
    return False
