"""Every user-class object an expression may hold, one per configuration that picks it::

    def get_loss(args):
        if args.img_wt_loss:
            criterion = ImageBasedCrossEntropyLoss2d(...)
        elif args.joint_edgeseg_loss:
            criterion = JointEdgeSegLoss(...)
        else:
            criterion = CrossEntropyLoss2d(...)
        return criterion, criterion_val

``self.criterion`` of a network given ``criterion`` (through its constructor, the callers of the factory
that builds it, the tuple ``get_loss`` returns) may hold any of the three. ``SemanticModel.object_of``
gives the single answer the code's order suggests (the last binding); this gives the choices, for the
questions whose answer holds when any one configuration has it (which loss a call may compute).

Only ``if``/``elif``/``else`` branches make choices here: a binding in a loop, a ``try`` or a ``with``
is no configuration, so only the binding that reaches the use counts there.

Built only on the public API of :class:`~nnlint.analysis.model.SemanticModel`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional

import libcst as cst

from nnlint.analysis.returned_items import returned_items
from nnlint.analysis.symbols import Binding, Obj, Scope
from nnlint.analysis.values import self_attribute_values

if TYPE_CHECKING:
    from nnlint.analysis.model import SemanticModel

_MAX_DEPTH = 10
_MAX_CHOICES = 6
_SAME_OBJECT_METHODS = frozenset({"to", "cuda", "cpu", "float", "double", "half", "train", "eval"})
_NO_CHOICE = (cst.For, cst.While, cst.Try, cst.TryStar, cst.ExceptHandler, cst.With, cst.Lambda, cst.Match)


def object_choices(model: "SemanticModel", expr: cst.BaseExpression, scope: Scope) -> List[Obj]:
    """The objects of user classes (``obj.cls`` set) an expression may hold, the one ``object_of`` gives
    first; at most a handful, found through names, ``self.`` attributes, parameters (what each call site
    passes, calls by name included) and the items of tuples returned by user functions."""
    found: Dict[int, Obj] = {}
    first = model.object_of(expr, scope)
    if first.cls is not None:
        found[id(first.cls.node)] = first
    _collect(model, expr, scope, 0, found)
    return list(found.values())


def _collect(
    model: "SemanticModel", expr: Optional[cst.BaseExpression], scope: Scope, depth: int, found: Dict[int, Obj]
) -> None:
    if expr is None or depth > _MAX_DEPTH or len(found) >= _MAX_CHOICES:
        return
    if isinstance(expr, cst.Call):
        func = expr.func
        if isinstance(func, cst.Attribute) and func.attr.value in _SAME_OBJECT_METHODS:
            _collect(model, func.value, scope, depth + 1, found)  # `JointEdgeSegLoss(...).cuda()`
            return
    elif isinstance(expr, cst.Attribute):
        assigned = self_attribute_values(model, expr, scope)
        if assigned:
            for value, value_scope, owner in assigned:  # `self.criterion = criterion` in `__init__`
                _collect(owner, value, value_scope, depth + 1, found)
            return
    elif isinstance(expr, cst.Name):
        for binding in _choice_bindings(model, expr, scope):
            _collect_binding(model, binding, depth, found)
        return
    _add(found, model.object_of(expr, scope))


def _collect_binding(model: "SemanticModel", binding: Binding, depth: int, found: Dict[int, Obj]) -> None:
    if binding.kind == "param" and binding.scope.function is not None:
        for arg, arg_scope, owner in model.passed_arguments(binding.scope.function, binding.name):
            _collect(owner, arg, arg_scope, depth + 1, found)
    elif binding.kind in ("assign", "annassign") and binding.index is None:
        _collect(model, binding.value, binding.scope, depth + 1, found)
    elif (
        binding.kind in ("assign", "unpack")
        and binding.index is not None
        and len(binding.index) == 1
        and isinstance(binding.value, cst.Call)
    ):
        for item, item_scope, owner in returned_items(model, binding.value, binding.scope, binding.index[0]) or []:
            _collect(owner, item, item_scope, depth + 1, found)


def _choice_bindings(model: "SemanticModel", name: cst.Name, scope: Scope) -> List[Binding]:
    """The bindings that may reach a use, one per ``if`` branch; only the reaching one where a binding sits
    in a loop, a ``try`` or a ``with`` (not a configuration's choice)."""
    bindings = model.alternative_bindings(name, scope)
    if len(bindings) <= 1:
        return bindings
    if not all(_branch_only(model, binding) for binding in bindings):
        return bindings[:1]
    return bindings


def _branch_only(model: "SemanticModel", binding: Binding) -> bool:
    for ancestor in model.ancestors(binding.node):
        if ancestor is binding.scope.node:
            return True
        if isinstance(ancestor, _NO_CHOICE):
            return False
    return True


def _add(found: Dict[int, Obj], obj: Obj) -> None:
    if obj.cls is not None and len(found) < _MAX_CHOICES:
        found.setdefault(id(obj.cls.node), obj)
