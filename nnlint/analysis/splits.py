"""Where data is split into training and held-out parts, and whether a given value reaches such a split.

A split is a call of ``random_split`` / ``train_test_split``, a cross-validation splitter's ``split``
(``KFold``, ``TimeSeriesSplit``...), complementary blocks of rows (``X[:n]`` and ``X[n:]``, also written
``X[0:n]`` and ``X[n:len(X)]``, or ``df.iloc[...]``), or a call of a user function that splits the
parameter the value is passed for (``split_data(X, y)`` whose body calls ``train_test_split`` on it),
in this file or, through the project, in another one.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Set, Tuple, cast

import libcst as cst

from nnlint.analysis.dataflow import Derived, Sources, derived_bindings, loaded_names, reads_any
from nnlint.analysis.frames import row_slice, sliced_name
from nnlint.analysis.model import Binding, CallInfo, FunctionInfo, Scope, SemanticModel
from nnlint.analysis.values import reaching_binding

SPLIT_FUNCTIONS = frozenset(
    {
        "torch.utils.data.random_split",
        "torch.utils.data.dataset.random_split",
        "sklearn.model_selection.train_test_split",
    }
)
_MAX_DEPTH = 4


def is_split_call(model: SemanticModel, call: cst.Call, scope: Scope) -> bool:
    return model.callee_qualname(call, scope) in SPLIT_FUNCTIONS


def is_split_binding(binding: Binding, model: SemanticModel) -> bool:
    """A binding holding the parts of a split (``a, b = train_test_split(X)``): the split's products."""
    return isinstance(binding.value, cst.Call) and is_split_call(model, binding.value, binding.scope)


def is_sklearn_splitter(model: SemanticModel, call: CallInfo) -> bool:
    """``KFold(5).split(X)`` / ``tscv.split(X)`` with ``tscv = TimeSeriesSplit(...)``."""
    receiver = call.receiver
    if isinstance(receiver, cst.Call):
        return (model.callee_qualname(receiver, call.scope) or "").startswith("sklearn.model_selection.")
    if isinstance(receiver, cst.Name):
        source = reaching_binding(model, receiver, call.scope)
        if source is not None and source.index is None and isinstance(source.value, cst.Call):
            return (model.callee_qualname(source.value, source.scope) or "").startswith("sklearn.model_selection.")
    return False


def has_split_site(model: SemanticModel) -> bool:
    """Whether a file splits anything itself: a split call, a splitter's ``split``, or complementary row
    blocks of one variable (by name, flow aside). A cheap test before costlier questions."""
    for call in model.calls_named("random_split", "train_test_split", "split"):
        if is_split_call(model, call.node, call.scope) or (
            call.method_name == "split" and is_sklearn_splitter(model, call)
        ):
            return True
    code = model.module.code_for_node
    lowers: Dict[str, Set[str]] = {}
    uppers: Dict[str, Set[str]] = {}
    for node in model.nodes_of(cst.Subscript):
        assert isinstance(node, cst.Subscript)
        bounds, name = row_slice(model, node), sliced_name(node)
        if bounds is None or name is None:
            continue
        lower, upper = bounds
        if lower is not None:
            lowers.setdefault(name.value, set()).add(code(lower))
        if upper is not None:
            uppers.setdefault(name.value, set()).add(code(upper))
    return any(lowers[name] & uppers.get(name, set()) for name in lowers)


class SplitFinder:
    """Finds the first split a value reaches; remembers which user functions split which parameter."""

    def __init__(self) -> None:
        self._param_splits: Dict[Tuple[int, str], Optional[cst.CSTNode]] = {}
        self._calls: Dict[Tuple[int, int], List[CallInfo]] = {}
        self._slices: Dict[Tuple[int, int], List[cst.Subscript]] = {}

    def first_split(
        self,
        model: SemanticModel,
        scope: Scope,
        derived: Derived,
        after: int,
        sources: Optional[Sources] = None,
        depth: int = 0,
    ) -> Optional[cst.CSTNode]:
        """The first split, after position ``after`` in ``scope``, of data carried by ``derived`` (or
        returned by a ``sources`` call)."""
        found: List[cst.CSTNode] = []
        for call in self._scope_calls(model, scope):
            if call.order <= after:
                continue
            split = self._call_splits(model, call, derived, sources, depth)
            if split is not None:
                found.append(split)
                break
        slice_split = self._slice_split(model, scope, derived, after)
        if slice_split is not None:
            found.append(slice_split)
        return min(found, key=lambda node: model.order[node]) if found else None

    def _call_splits(
        self, model: SemanticModel, call: CallInfo, derived: Derived, sources: Optional[Sources], depth: int
    ) -> Optional[cst.CSTNode]:
        carrying = [arg for arg in call.node.args if reads_any(model, arg.value, call.scope, derived, sources)]
        if not carrying:
            return None
        if is_split_call(model, call.node, call.scope):
            return call.node
        if call.method_name == "split" and call.receiver is not None and is_sklearn_splitter(model, call):
            return call.node
        if depth >= _MAX_DEPTH:
            return None
        func = model.resolve_function(call.node.func, call.scope)
        owner = model.owner_of(func) if func is not None else None
        if func is None or owner is None:
            return None
        for arg in carrying:
            param = _parameter_for(model, call.node, arg, func)
            if param is not None and self.param_split(owner, func, param, depth + 1) is not None:
                return call.node
        return None

    def param_split(
        self, model: SemanticModel, func: FunctionInfo, param: str, depth: int = 0
    ) -> Optional[cst.CSTNode]:
        """Where a user function splits what is passed for one of its parameters (None: it does not)."""
        key = (id(func), param)
        if key in self._param_splits:
            return self._param_splits[key]
        self._param_splits[key] = None  # recursion: a function that calls itself does not split by that call
        bindings = [b for b in func.scope.bindings.get(param, []) if b.kind == "param"]
        if not bindings:
            return None
        seed = bindings[0]
        derived = derived_bindings(
            model, func.scope, {id(seed): seed.order}, seed.order, boundary=lambda b: is_split_binding(b, model)
        )
        found = self.first_split(model, func.scope, derived, seed.order, depth=depth)
        self._param_splits[key] = found
        return found

    def _scope_calls(self, model: SemanticModel, scope: Scope) -> List[CallInfo]:
        key = (id(model), id(scope))
        calls = self._calls.get(key)
        if calls is None:
            calls = self._calls[key] = [call for call in model.calls if call.scope is scope]
        return calls

    def _slice_split(self, model: SemanticModel, scope: Scope, derived: Derived, after: int) -> Optional[cst.CSTNode]:
        """Complementary row blocks of one carrying variable: ``X[:n]`` and ``X[n:]`` (``X[:40]`` and
        ``X[50:90]`` select subsets, they do not split)."""
        by_binding: Dict[
            int, List[Tuple[cst.Subscript, Tuple[Optional[cst.BaseExpression], Optional[cst.BaseExpression]]]]
        ] = {}
        for node in self._scope_slices(model, scope):
            if model.order[node] <= after:
                continue
            bounds = row_slice(model, node)
            name = sliced_name(node)
            if (
                bounds is None
                or name is None
                or any(_varies_per_iteration(model, b, node, scope) for b in bounds if b is not None)
            ):
                continue
            source = reaching_binding(model, name, scope)
            since = derived.get(id(source)) if source is not None else None
            if since is not None and model.order[node] > since:
                by_binding.setdefault(id(source), []).append((node, bounds))
        code = model.module.code_for_node
        for found in by_binding.values():
            uppers: Dict[str, cst.Subscript] = {}
            for node, (_, upper) in found:
                if upper is not None:
                    uppers.setdefault(code(upper), node)
            for node, (lower, _) in found:
                if lower is not None and code(lower) in uppers:
                    return min(node, uppers[code(lower)], key=lambda n: model.order[n])
        return None

    def _scope_slices(self, model: SemanticModel, scope: Scope) -> List[cst.Subscript]:
        key = (id(model), id(scope))
        slices = self._slices.get(key)
        if slices is None:
            slices = self._slices[key] = [
                node
                for node in cast(List[cst.Subscript], model.descendants(scope.node, cst.Subscript))
                if model.scope_of(node) is scope
            ]
        return slices


def _varies_per_iteration(model: SemanticModel, bound: cst.BaseExpression, node: cst.CSTNode, scope: Scope) -> bool:
    """A slice bound that moves with a loop around the slice (``data[i:i + n]`` then ``data[i + n:i + n + 1]``:
    a window and its target, not a split): it reads a loop or comprehension variable, or a name rebound in the loop."""
    names = {name.value for name in loaded_names(bound)}
    if not names:
        return False
    for ancestor in model.ancestors(node):
        if isinstance(ancestor, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
            comp: Optional[cst.CompFor] = ancestor.for_in
            while comp is not None:
                if names & {n.value for n in loaded_names(comp.target)}:
                    return True
                comp = comp.inner_for_in
        elif isinstance(ancestor, (cst.For, cst.While)):
            start, end = model.order[ancestor], model.subtree_end[ancestor]
            for name in names:
                if any(start <= b.order <= end for b in scope.bindings.get(name, [])):
                    return True
        elif isinstance(ancestor, (cst.FunctionDef, cst.ClassDef)):
            break
    return False


def _parameter_for(model: SemanticModel, call: cst.Call, arg: cst.Arg, func: FunctionInfo) -> Optional[str]:
    """The parameter of ``func`` an argument of ``call`` is bound to (None for ``*args``/``**kwargs``)."""
    if arg.keyword is not None:
        return arg.keyword.value if arg.keyword.value in func.params else None
    if arg.star:
        return None
    position = 0
    for other in call.args:
        if other is arg:
            break
        if other.keyword is None and not other.star:
            position += 1
        elif other.star:
            return None
    bound_method = func.cls is not None and func.params and func.params[0] in ("self", "cls")
    index = position + (1 if bound_method else 0)
    return func.params[index] if index < len(func.params) else None


def splits_one_element(model: SemanticModel, split: cst.CSTNode, scope: Scope, derived: Derived) -> bool:
    """Whether a split call cuts one element of a collection that carries the value (``split_data(xs[i], r)``
    after ``xs.append(windows_of_series_i)``), not the collection itself (``train_test_split(images)``): the
    rows of that one element are divided, so statistics taken over the element are whole-data for it."""
    if not isinstance(split, cst.Call):
        return False  # complementary row blocks slice the collection itself
    return any(_element_of_carrier(model, arg.value, scope, derived, 0) for arg in split.args)


def _element_of_carrier(
    model: SemanticModel, expr: cst.BaseExpression, scope: Scope, derived: Derived, depth: int
) -> bool:
    """``xs[i]`` (an index, not a slice) of a carrying collection, or a name bound to one (``x = xs[i]``)."""
    if isinstance(expr, cst.Subscript):
        if not all(isinstance(element.slice, cst.Index) for element in expr.slice):
            return False
        return isinstance(expr.value, cst.Name) and reads_any(model, expr.value, scope, derived)
    if isinstance(expr, cst.Name) and depth < 2:
        source = reaching_binding(model, expr, scope)
        if source is not None and source.kind == "assign" and source.index is None and source.value is not None:
            return _element_of_carrier(model, source.value, source.scope, derived, depth + 1)
    return False
