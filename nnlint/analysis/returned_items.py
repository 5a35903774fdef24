"""The item of a tuple a user function returns: ``criterion, criterion_val = loss.get_loss(args)`` binds
``criterion`` to the first item of each ``return criterion, criterion_val`` of ``get_loss`` (in this file
or another file of the project).

Built only on the public API of :class:`~nnlint.analysis.model.SemanticModel`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Optional, Tuple

import libcst as cst

from nnlint.analysis.symbols import UNKNOWN, FunctionInfo, Obj, Scope

if TYPE_CHECKING:
    from nnlint.analysis.model import SemanticModel

Returned = Tuple[cst.BaseExpression, Scope, "SemanticModel"]
_MAX_DEPTH = 3


def returned_items(
    model: "SemanticModel", call: cst.Call, scope: Scope, position: int, _depth: int = 0
) -> Optional[List[Returned]]:
    """(expression, scope, model of its file) of the item at ``position`` of every tuple the called user
    function returns; None where the callee is no user function, or one of its returns is no literal tuple
    with that item (a starred item before it, a returned name, a bare ``return``).

    A return of another call (``return load_func(name)``) holds what that call returns, and a callee picked
    from a literal table of functions (``load_func = LOADERS[kind]``) returns what each of them returns."""
    targets = called_functions(model, call.func, scope)
    if not targets or _depth > _MAX_DEPTH:
        return None
    found: List[Returned] = []
    for target in targets:
        owner = model.owner_of(target)
        if owner is None or not target.returns:
            return None
        for ret in target.returns:
            value = ret.value
            if isinstance(value, cst.Call):
                inner = returned_items(owner, value, target.scope, position, _depth + 1)
                if inner is None:
                    return None
                found.extend(inner)
                continue
            if not isinstance(value, (cst.Tuple, cst.List)) or position >= len(value.elements):
                return None
            if any(isinstance(element, cst.StarredElement) for element in value.elements[: position + 1]):
                return None
            found.append((value.elements[position].value, target.scope, owner))
    return found


def called_functions(model: "SemanticModel", func: cst.BaseExpression, scope: Scope) -> List[FunctionInfo]:
    """The user functions a callee expression may run: the one it names, or each value of the literal dict
    it is looked up in (``LOADERS[kind](...)``, ``load = LOADERS[kind]; load(...)``), a module-level table
    of functions."""
    target = model.resolve_function(func, scope)
    if target is not None:
        return [target]
    if isinstance(func, cst.Name):
        binding = model.reaching_value(func, scope)
        if binding is None or binding.kind != "assign" or binding.index is not None or binding.value is None:
            return []
        func, scope = binding.value, binding.scope
    if not isinstance(func, cst.Subscript) or not isinstance(func.value, cst.Name):
        return []
    table = model.reaching_value(func.value, scope)
    if table is None or table.kind != "assign" or table.index is not None or not isinstance(table.value, cst.Dict):
        return []
    functions: List[FunctionInfo] = []
    for element in table.value.elements:
        if not isinstance(element, cst.DictElement):
            return []
        value = model.resolve_function(element.value, table.scope)
        if value is None:
            return []  # a table that also holds something else: not a dispatch of functions
        functions.append(value)
    return functions


def one_object(objects: List[Obj], model: "SemanticModel", scope: Scope) -> Obj:
    """What the items hold together: the one object they all hold; one kind (and class, or API name) built in
    several returns (``return Net(), nn.CrossEntropyLoss()`` in each branch); unknown where they disagree."""
    known = {id(o.node): o for o in objects if o.kind != "unknown"}
    if len(known) == 1:
        return next(iter(known.values()))
    if not known or len({o.kind for o in known.values()}) != 1:
        return UNKNOWN
    first = next(iter(known.values()))
    if first.cls is not None and len({id(o.cls) for o in known.values()}) == 1:
        return Obj(first.kind, first.qualname, None, first.cls, first.owner, scope)
    qualnames = {o.qualname for o in known.values()}
    return Obj(first.kind, first.qualname if len(qualnames) == 1 else None, None, None, model, scope)
