"""What a name holds where the source narrows it: ``isinstance`` guards and loops over literal collections.

``for m in self.modules(): if isinstance(m, nn.Linear): ...`` and ``for layer in (self.conv1, self.conv2): ...``
are how initialisation code reaches layers; :meth:`SemanticModel.object_of` cannot follow them, these
queries can.
"""

from __future__ import annotations

from typing import List, Optional

import libcst as cst

from nnlint.analysis import torch_api as api
from nnlint.analysis.imports import dotted_name
from nnlint.analysis.model import Obj, Scope, SemanticModel


def isinstance_guard(
    model: SemanticModel, node: cst.CSTNode, expr: cst.BaseExpression
) -> Optional[List[cst.BaseExpression]]:
    """The type expressions of the innermost ``if isinstance(<expr>, T)`` whose body holds ``node``.

    Also ``type(<expr>) is T`` / ``== T`` and guards joined with ``and``. None when no guard narrows ``expr``
    (an ``elif``/``else`` branch of a guard does not narrow it either).
    """
    wanted = dotted_name(expr)
    if wanted is None:
        return None
    child: cst.CSTNode = node
    for ancestor in model.ancestors(node):
        if isinstance(ancestor, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            return None
        if isinstance(ancestor, cst.If) and child is ancestor.body:
            types = _guard_types(ancestor.test, wanted)
            if types is not None:
                return types
        child = ancestor
    return None


def _guard_types(test: cst.BaseExpression, wanted: str) -> Optional[List[cst.BaseExpression]]:
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        return _guard_types(test.left, wanted) or _guard_types(test.right, wanted)
    if (
        isinstance(test, cst.Call)
        and isinstance(test.func, cst.Name)
        and test.func.value == "isinstance"
        and len(test.args) == 2
    ):
        if dotted_name(test.args[0].value) != wanted:
            return None
        spec = test.args[1].value
        if isinstance(spec, (cst.Tuple, cst.List)):
            return [element.value for element in spec.elements]
        return [spec]
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        operator = test.comparisons[0].operator
        left = test.left
        if isinstance(operator, (cst.Is, cst.Equal)) and isinstance(left, cst.Call) and isinstance(left.func, cst.Name):
            if left.func.value == "type" and len(left.args) == 1 and dotted_name(left.args[0].value) == wanted:
                return [test.comparisons[0].comparator]
    return None


def class_object(model: SemanticModel, type_expr: cst.BaseExpression, scope: Scope) -> Obj:
    """The object an instance of a named class would be: a torch layer, a user model, or unknown."""
    qualname = model.qualname(type_expr, scope)
    if qualname is not None and qualname.startswith(api.NN):
        kind = "model" if qualname in api.CONTAINER_CLASSES else "layer"
        return Obj(kind, qualname, None, None, model, scope)
    cls = model.resolve_class(type_expr, scope)
    if cls is not None:
        kind = "model" if cls.owner.is_module_class(cls) else "instance"
        return Obj(kind, None, None, cls, cls.owner, scope)
    return Obj("unknown")


def possible_objects(
    model: SemanticModel, expr: cst.BaseExpression, scope: Scope, at: cst.CSTNode, _depth: int = 0
) -> List[Obj]:
    """Every object ``expr`` may hold at ``at``: ``object_of``, else what an isinstance guard or a loop over
    a literal tuple/list allows. Empty when unknown; an entry may itself be unknown (then the caller
    cannot conclude anything about all of them)."""
    if _depth > 4:
        return []
    obj = model.object_of(expr, scope)
    if obj.kind != "unknown":
        return [obj]
    guard = isinstance_guard(model, at, expr)
    if guard is not None:
        return [class_object(model, t, scope) for t in guard]
    if isinstance(expr, cst.Attribute):
        bases = possible_objects(model, expr.value, scope, at, _depth + 1)
        found: List[Obj] = []
        for base in bases:
            if base.kind in ("model", "instance") and base.cls is not None:
                found.append(base.cls.owner.attribute_object(base.cls, expr.attr.value))
            else:
                found.append(Obj("unknown"))
        return found
    if isinstance(expr, cst.Name):
        binding = model.lookup(expr.value, scope, model.order.get(expr))  # the loop statement contains the use
        if (
            binding is not None
            and binding.kind == "for"
            and binding.index is None
            and isinstance(binding.value, (cst.Tuple, cst.List))
        ):
            return [model.object_of(element.value, binding.scope) for element in binding.value.elements]
    return []
