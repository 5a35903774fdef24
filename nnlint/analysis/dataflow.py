"""Forward data flow inside one scope: which later bindings are computed from a given value.

``X = (X - X.mean(0)) / X.std(0)`` then ``ds = TensorDataset(X, y)`` then ``random_split(ds, ...)``:
starting from the binding of ``X``, :func:`derived_bindings` finds ``ds``, so a rule can ask whether
the split consumes the normalised data. Order-aware, flow-insensitive within the scope (branches are
not told apart), and it stops where a caller-supplied predicate says a binding is a boundary.

Besides assignments, a value flows through changes made in place (:func:`mutations`): a write into a
container or frame (``df['c'] = v``, ``df.loc[:, cols] = v``, ``rows[i] = v``) and ``append``/``extend``/
``insert`` on a list (``windows.append(series[i:i + n])``). The changed variable carries the value from
the end of that statement on, which is why the result maps each binding to the position after which its
reads carry the value. A call can be a source too (``sources``): the call of a function known to return
the value, with the positions of the returned tuple that hold it.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Callable, Dict, FrozenSet, Iterator, List, Optional, Union

import libcst as cst

from nnlint.analysis.model import Binding, Scope, SemanticModel
from nnlint.analysis.values import reaching_binding
from nnlint.analysis.walk import children

_VALUE_KINDS = frozenset({"assign", "annassign", "augassign", "unpack", "walrus"})
# what these read of a variable is a description of it, not its values (``dim = X.shape[1]``)
_METADATA = frozenset({"shape", "dtype", "dtypes", "ndim", "device", "columns"})
_IN_PLACE_ADDS = frozenset({"append", "extend", "insert"})
_INDEXERS = frozenset({"loc", "iloc", "at", "iat"})

# id(binding) -> preorder position after which reads of that binding carry the value
Derived = Dict[int, int]
# what a source call returns: WHOLE (the value itself), or the positions of a returned tuple that hold it
Positions = FrozenSet[int]
WHOLE: Positions = frozenset()
Sources = Callable[[cst.Call], Optional[Positions]]


@dataclass(frozen=True)
class Mutation:
    """A change made in place to a variable: ``target[...] = value`` or ``target.append(value)``."""

    target: cst.Name  # the variable changed
    value: cst.BaseExpression  # what is written or added
    node: cst.CSTNode  # the assignment statement, or the call
    order: int
    end: int  # preorder position of the statement's last node: later reads see the change
    write: bool  # a subscript write (True) or a list addition (False)


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


def _carries(model: SemanticModel, name: cst.Name, binding: Optional[Binding], derived: Derived) -> bool:
    if binding is None:
        return False
    since = derived.get(id(binding))
    return since is not None and model.order.get(name, since + 1) > since


def reads_any(
    model: SemanticModel, expr: cst.CSTNode, scope: Scope, bindings: Derived, sources: Optional[Sources] = None
) -> bool:
    """Whether an expression reads a name whose reaching binding carries the value at that point (or
    contains a source call)."""
    for name in loaded_names(expr):
        parent = model.parent.get(name)
        if isinstance(parent, cst.Attribute) and parent.value is name and parent.attr.value in _METADATA:
            continue
        if _carries(model, name, reaching_binding(model, name, scope), bindings):
            return True
    if sources is not None:
        return any(sources(call) is not None for call in model.descendants(expr, cst.Call))  # type: ignore[arg-type]
    return False


def mutated_variable(target: cst.BaseExpression) -> Optional[cst.Name]:
    """The variable a subscript write changes: ``df`` in ``df['c'] = ...``, ``df.loc[:, cols] = ...``."""
    if not isinstance(target, cst.Subscript):
        return None
    base = target.value
    if isinstance(base, cst.Attribute) and base.attr.value in _INDEXERS:
        base = base.value
    return base if isinstance(base, cst.Name) else None


_MUTATIONS: "weakref.WeakKeyDictionary[SemanticModel, Dict[int, List[Mutation]]]" = weakref.WeakKeyDictionary()


def mutations(model: SemanticModel, scope: Scope) -> List[Mutation]:
    """The in-place changes made to variables in a scope, in source order."""
    table = _MUTATIONS.get(model)
    if table is None:
        table = _MUTATIONS[model] = _all_mutations(model)
    return table.get(id(scope), [])


def _all_mutations(model: SemanticModel) -> Dict[int, List[Mutation]]:
    table: Dict[int, List[Mutation]] = {}
    for node in model.nodes_of((cst.Assign, cst.AugAssign)):
        if isinstance(node, cst.Assign):
            targets = [t.target for t in node.targets]
        elif isinstance(node, cst.AugAssign):
            targets = [node.target]
        else:
            continue
        for target in targets:
            variable = mutated_variable(target)
            if variable is not None:
                mutation = Mutation(variable, node.value, node, model.order[node], model.subtree_end[node], True)
                table.setdefault(id(model.scope_of(node)), []).append(mutation)
    for call in model.calls_named(*_IN_PLACE_ADDS):
        func = call.node.func
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and call.node.args:
            added = call.node.args[-1].value  # insert(i, value): the value is the last argument
            statement = model.parent.get(call.node)
            end = (
                model.subtree_end.get(statement, model.subtree_end[call.node])
                if isinstance(statement, cst.Expr)
                else model.subtree_end[call.node]
            )
            table.setdefault(id(call.scope), []).append(Mutation(func.value, added, call.node, call.order, end, False))
    for found in table.values():
        found.sort(key=lambda m: m.order)
    return table


def derived_bindings(
    model: SemanticModel,
    scope: Scope,
    seeds: Derived,
    after: int,
    boundary: Callable[[Binding], bool] = lambda binding: False,
    sources: Optional[Sources] = None,
) -> Derived:
    """The seed bindings plus every later binding in ``scope`` whose value reads one of them (transitively),
    each with the position after which its reads carry the value. A variable changed in place with such a
    value (``df[cols] = v``, ``rows.append(v)``) carries it after that statement. A binding for which
    ``boundary`` is true is not followed (nor what derives from it)."""
    derived: Derived = dict(seeds)
    steps: List[Union[Binding, Mutation]] = [
        b for b in bindings_in_order(scope) if b.order > after and b.value is not None and b.kind in _VALUE_KINDS
    ]
    steps.extend(m for m in mutations(model, scope) if m.order > after)
    steps.sort(key=lambda step: step.order)
    for step in steps:
        if isinstance(step, Mutation):
            changed = reaching_binding(model, step.target, scope)
            if changed is None or (id(changed) in derived and derived[id(changed)] <= step.end):
                continue
            if reads_any(model, step.value, scope, derived, sources):
                derived[id(changed)] = step.end
            continue
        if id(step) in derived:
            continue
        assert step.value is not None
        if _binding_carries(model, step, scope, derived, sources) and not boundary(step):
            derived[id(step)] = step.order
    return derived


def _binding_carries(
    model: SemanticModel, binding: Binding, scope: Scope, derived: Derived, sources: Optional[Sources]
) -> bool:
    value = binding.value
    assert value is not None
    if sources is not None and binding.index is not None and len(binding.index) == 1 and isinstance(value, cst.Call):
        positions = sources(value)
        if positions is not None and (positions == WHOLE or binding.index[0] in positions):
            return True  # `x, scaler = scale(X)`: only the position of the returned tuple that holds it
        if positions is not None:
            return reads_any(model, value, scope, derived)
    return reads_any(model, value, scope, derived, sources)
