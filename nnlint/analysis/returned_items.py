"""The item of a tuple a user function returns: ``criterion, criterion_val = loss.get_loss(args)`` binds
``criterion`` to the first item of each ``return criterion, criterion_val`` of ``get_loss`` (in this file
or another file of the project).

Built only on the public API of :class:`~nnlint.analysis.model.SemanticModel`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Optional, Tuple

import libcst as cst

from nnlint.analysis.symbols import UNKNOWN, Obj, Scope

if TYPE_CHECKING:
    from nnlint.analysis.model import SemanticModel

Returned = Tuple[cst.BaseExpression, Scope, "SemanticModel"]


def returned_items(model: "SemanticModel", call: cst.Call, scope: Scope, position: int) -> Optional[List[Returned]]:
    """(expression, scope, model of its file) of the item at ``position`` of every tuple the called user
    function returns; None where the callee is no user function, or one of its returns is no literal tuple
    with that item (a starred item before it, a returned name, a bare ``return``)."""
    target = model.resolve_function(call.func, scope)
    if target is None or not target.returns:
        return None
    owner = model.owner_of(target)
    if owner is None:
        return None
    found: List[Returned] = []
    for ret in target.returns:
        value = ret.value
        if not isinstance(value, (cst.Tuple, cst.List)) or position >= len(value.elements):
            return None
        if any(isinstance(element, cst.StarredElement) for element in value.elements[: position + 1]):
            return None
        found.append((value.elements[position].value, target.scope, owner))
    return found


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
