"""What the semantic model does with :mod:`~nnlint.analysis.registries`: the callers of a method of a
registered class (``self.heads.loss(out, batch)``, with ``self.heads = build_heads(cfg)``) and what they
pass it; the item of what a registry-built module returns where its class is one of several
(``out["exist"]`` of ``out = self.heads(x)``): the tail all candidate classes returning that item agree on.

Built only on the public API of :class:`~nnlint.analysis.model.SemanticModel`.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import TYPE_CHECKING, AbstractSet, Dict, List, Optional, Set, Tuple

import libcst as cst

from nnlint.analysis.item_tails import Key, returned_item, updated_source
from nnlint.analysis.registries import REGISTER_METHODS, Registry, alternatives, registry_of
from nnlint.analysis.symbols import UNKNOWN_TAIL, CallInfo, ClassInfo, FunctionInfo, Obj, Scope, Tail

if TYPE_CHECKING:
    from nnlint.analysis.model import SemanticModel


# ----------------------------------------------------------------------------------------- callers
def registry_callers(model: "SemanticModel", func: FunctionInfo) -> List[Tuple["SemanticModel", CallInfo]]:
    """Calls ``obj.<method>(...)`` of a method of a registered class, where ``obj`` is built by a registry that
    holds the class (``self.heads.loss(out, batch)`` with ``self.heads = build_heads(cfg)``), in this file
    and the project files near the registry's module that write ``.<method>(``."""
    cls = func.cls
    if cls is None or func.name in ("__init__", "forward") or not cls.node.decorators:
        return []
    cache: Dict[int, List[Tuple["SemanticModel", CallInfo]]] = model.cached_analysis("registry-callers", dict)
    key = id(func.node)
    if key not in cache:
        cache[key] = []
        cache[key] = _find_registry_callers(model, func, cls)
    return cache[key]


def _registries_holding(model: "SemanticModel", cls: ClassInfo) -> List[Registry]:
    outer = cls.scope.parent
    found: List[Registry] = []
    if outer is None:
        return found
    for decorator in cls.node.decorators:
        expr = decorator.decorator
        func = expr.func if isinstance(expr, cst.Call) else expr
        if isinstance(func, cst.Attribute) and func.attr.value in REGISTER_METHODS:
            registry = registry_of(model, func.value, outer)
            if registry is not None:
                found.append(registry)
    return found


def _find_registry_callers(
    model: "SemanticModel", func: FunctionInfo, cls: ClassInfo
) -> List[Tuple["SemanticModel", CallInfo]]:
    registries = _registries_holding(model, cls)
    found: List[Tuple["SemanticModel", CallInfo]] = []
    seen: Set[int] = set()
    needle = f".{func.name}(".encode()
    for registry in registries:
        files = [model, registry[0]]
        if registry[0].project is not None:
            files += registry[0].project.files_with_text(registry[0], [needle])
        for other in files:
            if id(other) in seen:
                continue
            seen.add(id(other))
            for call in other.calls_named(func.name):
                receiver = call.node.func.value if isinstance(call.node.func, cst.Attribute) else None
                if receiver is not None and _holds_class(other, receiver, call.scope, cls):
                    found.append((other, call))
    return found


def _holds_class(model: "SemanticModel", expr: cst.BaseExpression, scope: Scope, cls: ClassInfo) -> bool:
    """Whether the object an expression holds may be of the class (or of a subclass of it)."""
    return any(
        obj.cls is cls or cls in obj.cls.owner.base_classes(obj.cls)
        for obj in candidate_objects(model, expr, scope)
        if obj.cls is not None
    )


def candidate_objects(model: "SemanticModel", expr: cst.BaseExpression, scope: Scope) -> List[Obj]:
    """The objects an expression may hold, one per class where a registry builds it."""
    found = model.object_alternatives(expr, scope) or [model.object_of(expr, scope)]
    return [each for obj in found for each in alternatives(obj)]


def registry_arguments(
    model: "SemanticModel", func: FunctionInfo, param: str
) -> List[Tuple[cst.BaseExpression, Scope, "SemanticModel"]]:
    """(expression, scope, file) passed for a parameter of a registered class's method by
    :func:`registry_callers`."""
    index = func.param_index(param)
    found: List[Tuple[cst.BaseExpression, Scope, "SemanticModel"]] = []
    for other, call in registry_callers(model, func):
        expr = other.argument(call.node, index, param)
        if expr is not None:
            found.append((expr, call.scope, other))
    return found


# ------------------------------------------------------------------------------------ item tails
_FOLLOWED = threading.local()  # per thread: the (forward, item) pairs being followed (a head that builds heads)


def _in_progress() -> Set[Tuple[int, Key]]:
    followed: Optional[Set[Tuple[int, Key]]] = getattr(_FOLLOWED, "pairs", None)
    if followed is None:
        followed = _FOLLOWED.pairs = set()
    return followed


def item_tail_of_alternatives(
    obj: Obj, element: Key, training: bool, depth: int, wanted: AbstractSet[str]
) -> Optional[Tail]:
    """The tail of item ``element`` of what a registry-built module returns, where its class is one of
    several: the tail all the candidate classes that return that item agree on (those that get it only
    through a dict filled by ``update(...)`` with an unknown tail do not count); UNKNOWN where they
    disagree; None where ``obj`` is no such build."""
    objs = alternatives(obj)
    if len(objs) < 2:
        return None
    tails: List[Tail] = []
    for alternative in objs:
        cls = alternative.cls
        forward = cls.owner.method_of(cls, "forward") if cls is not None else None
        if forward is None:
            continue
        owner = forward.cls.owner if forward.cls is not None else cls.owner  # type: ignore[union-attr]
        key = (id(forward.node), element)
        holds = returns_item(owner, forward, element)
        in_progress = _in_progress()
        if holds is None or key in in_progress:
            continue
        in_progress.add(key)
        try:
            tail = owner.function_tail(forward, training, depth + 1, element, wanted)
        finally:
            in_progress.discard(key)
        if tail.kind == "unknown" and holds == "update":
            continue
        tails.append(replace(tail, via_model=alternative, packed=False) if tail.via_model is None else tail)
    if not tails or len({tail.kind for tail in tails}) != 1:
        return UNKNOWN_TAIL
    return tails[0]


def returns_item(model: "SemanticModel", func: FunctionInfo, element: Key) -> Optional[str]:
    """``"literal"`` where a return of the function gives item ``element`` (of a tuple or dict it builds),
    ``"update"`` where a dict filled by ``update(...)`` may hold it, None where no return does."""
    found: Optional[str] = None
    for ret in func.returns:
        if returned_item(model, func, ret.value, element) is not None:
            return "literal"
        if updated_source(model, func, ret.value, element) is not None:
            found = "update"
    return found
