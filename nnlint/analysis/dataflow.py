"""Forward data flow inside one scope: which later bindings are computed from a given value.

``X = (X - X.mean(0)) / X.std(0)`` then ``ds = TensorDataset(X, y)`` then ``random_split(ds, ...)``:
starting from the binding of ``X``, :func:`derived_bindings` finds ``ds``, so a rule can ask whether
the split consumes the normalised data. Order-aware, flow-insensitive within the scope (branches are
not told apart), and it stops where a caller-supplied predicate says a binding is a boundary.
"""
from __future__ import annotations

from typing import Callable, Iterator, List, Set

import libcst as cst

from nnlint.analysis.model import Binding, Scope, SemanticModel
from nnlint.analysis.values import reaching_binding
from nnlint.analysis.walk import children

_VALUE_KINDS = frozenset({"assign", "annassign", "augassign", "unpack", "walrus"})


def loaded_names(expr: cst.CSTNode) -> Iterator[cst.Name]:
    """Every variable name an expression reads (not attribute names, not keyword-argument names)."""
    stack: List[cst.CSTNode] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Name):
            yield node
            continue
        if isinstance(node, cst.Attribute):
            stack.append(node.value)
            continue
        if isinstance(node, cst.Arg):
            stack.append(node.value)
            continue
        if isinstance(node, (cst.Lambda, cst.FunctionDef, cst.ClassDef)):
            continue
        stack.extend(children(node))


def bindings_in_order(scope: Scope) -> List[Binding]:
    return sorted((b for bindings in scope.bindings.values() for b in bindings), key=lambda b: b.order)


def reads_any(model: SemanticModel, expr: cst.CSTNode, scope: Scope, bindings: Set[int]) -> bool:
    """Whether an expression reads a name whose reaching binding is one of ``bindings`` (by id)."""
    for name in loaded_names(expr):
        binding = reaching_binding(model, name, scope)
        if binding is not None and id(binding) in bindings:
            return True
    return False


def derived_bindings(
    model: SemanticModel,
    scope: Scope,
    seeds: Set[int],
    after: int,
    boundary: Callable[[Binding], bool] = lambda binding: False,
) -> Set[int]:
    """Ids of the seed bindings plus every later binding in ``scope`` whose value reads one of them
    (transitively). A binding for which ``boundary`` is true is not followed (nor what derives from it)."""
    derived = set(seeds)
    for binding in bindings_in_order(scope):
        if binding.order <= after or id(binding) in derived or binding.value is None:
            continue
        if binding.kind not in _VALUE_KINDS:
            continue
        if reads_any(model, binding.value, scope, derived) and not boundary(binding):
            derived.add(id(binding))
    return derived
