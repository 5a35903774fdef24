"""Module contents: the layers a model holds, and whether its output depends on train/eval mode.

A part of :class:`~nnlint.analysis.model.SemanticModel` (which combines the parts); read through it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, List, Optional

import libcst as cst

from nnlint.analysis import torch_api as api
from nnlint.analysis.symbols import (
    Obj, Scope,
)

if TYPE_CHECKING:
    from nnlint.analysis.model import SemanticModel


class ModuleContents:
    def layers_of(self: "SemanticModel", obj: Obj, depth: int = 0) -> List[Obj]:
        """Every layer object a model object contains (recursively through user classes and containers)."""
        if depth > 6:
            return []
        owner = obj.owner or self
        found: List[Obj] = []
        if obj.cls is not None:
            for candidate in [obj.cls, *owner.base_classes(obj.cls)]:
                for bindings in candidate.attributes.values():
                    for binding in bindings:
                        found.extend(candidate.owner._layers_in_expr(binding.value, binding.scope, depth))
            forward = owner.method_of(obj.cls, "forward")
            if forward is not None:
                fowner = forward.cls.owner if forward.cls else owner
                for call in forward.calls:
                    qualname = fowner.callee_qualname(call.node, call.scope)
                    if qualname and qualname.startswith("torch.nn.functional.") and "dropout" in qualname:
                        found.append(Obj("layer", qualname, call.node, None, fowner, call.scope))
        elif obj.qualname in (api.NN + "Sequential", api.NN + "ModuleList") and isinstance(obj.node, cst.Call) and obj.scope is not None:
            for arg in obj.node.args:
                found.extend(owner._layers_in_expr(arg.value, obj.scope, depth))
        elif obj.kind == "layer":
            found.append(obj)
        return found

    def _layers_in_expr(self: "SemanticModel", expr: Optional[cst.BaseExpression], scope: Scope, depth: int) -> List[Obj]:
        if expr is None:
            return []
        found: List[Obj] = []
        if isinstance(expr, (cst.List, cst.Tuple)):
            for element in expr.elements:
                found.extend(self._layers_in_expr(element.value, scope, depth))
            return found
        if isinstance(expr, cst.ListComp):
            return self._layers_in_expr(expr.elt, scope, depth)
        if isinstance(expr, cst.Call):
            qualname = self.callee_qualname(expr, scope)
            if qualname == "collections.OrderedDict":
                for value in ordered_dict_values(expr):
                    found.extend(self._layers_in_expr(value, scope, depth))
                return found
            if qualname in (api.NN + "ModuleList", api.NN + "Sequential") :
                for arg in expr.args:
                    found.extend(self._layers_in_expr(arg.value, scope, depth))
                return found
        obj = self.object_of(expr, scope)
        if obj.kind == "layer":
            return [obj]
        if obj.kind == "model":
            if obj.cls is None and obj.qualname is not None and obj.qualname != api.NN + "Sequential":
                return [obj]
            return self.layers_of(obj, depth + 1)
        return found

    def has_mode_dependent_layers(self: "SemanticModel", obj: Obj) -> Optional[bool]:
        """True when a model has Dropout/BatchNorm (train/eval mode changes its output), None if unknown."""
        if obj.kind != "model":
            return None
        if obj.cls is None and obj.qualname is not None and obj.qualname != api.NN + "Sequential":
            return True if api.is_mode_dependent_architecture(obj.qualname) else None
        layers = self.layers_of(obj)
        for layer in layers:
            if layer.qualname in api.DROPOUT_CLASSES or layer.qualname in api.BATCHNORM_CLASSES:
                return True
            if layer.qualname and "dropout" in layer.qualname and "functional" in layer.qualname:
                return True
            if layer.kind == "model" and layer.qualname and api.is_mode_dependent_architecture(layer.qualname):
                return True
        return False


def ordered_dict_values(call: cst.Call) -> List[cst.BaseExpression]:
    values: List[cst.BaseExpression] = []
    if call.args and isinstance(call.args[0].value, (cst.List, cst.Tuple)):
        for element in call.args[0].value.elements:
            if isinstance(element.value, cst.Tuple) and len(element.value.elements) == 2:
                values.append(element.value.elements[1].value)
    return values
