from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from nnlint.analysis.dataflow import bindings_in_order, derived_bindings, loaded_names, reads_any
from nnlint.analysis.imports import dotted_name
from nnlint.analysis.model import Binding, CallInfo, FunctionInfo, Scope, SemanticModel
from nnlint.analysis.values import reaching_binding
from nnlint.context import RuleContext
from nnlint.rule import Rule

_STAT_METHODS = frozenset({"mean", "std", "var", "min", "max", "amin", "amax", "nanmean", "nanstd", "median", "quantile", "std_mean", "var_mean"})
_STAT_FUNCTIONS = frozenset(
    {f"numpy.{n}" for n in ("mean", "std", "var", "min", "max", "amin", "amax", "nanmean", "nanstd", "nanmin", "nanmax", "median", "percentile", "quantile")}
    | {f"torch.{n}" for n in ("mean", "std", "var", "min", "max", "amin", "amax", "median", "quantile", "std_mean", "var_mean", "aminmax")}
)
# value-preserving hops between the data and the statistic: X.float().mean(), X.values.std()
_TRANSPARENT_METHODS = frozenset({"float", "double", "astype", "to", "numpy", "detach", "cpu", "values", "to_numpy"})
_SCALERS = frozenset(
    "sklearn.preprocessing." + n
    for n in ("StandardScaler", "MinMaxScaler", "RobustScaler", "MaxAbsScaler", "QuantileTransformer", "PowerTransformer")
)
_SCALE_FUNCTIONS = frozenset("sklearn.preprocessing." + n for n in ("scale", "minmax_scale", "robust_scale", "maxabs_scale"))
_SPLITS = frozenset({"torch.utils.data.random_split", "torch.utils.data.dataset.random_split", "sklearn.model_selection.train_test_split"})
_SPLIT_NAME_HINTS = ("train", "test", "val", "valid")


@dataclass
class _Normalisation:
    data: str  # the name whose statistics are computed
    stat: cst.CSTNode  # where the statistics are computed (reported)
    result: Binding  # the binding holding the normalised data
    scope: Scope


class StatsBeforeSplit(Rule):
    """## What it does
    Finds normalisation statistics (`X.mean()`/`X.std()`, min/max scaling, `StandardScaler().fit`,
    `fit_transform`, `sklearn.preprocessing.scale`) computed over a whole data set that is afterwards
    split into training and validation/test parts (`random_split`, `train_test_split`, or slicing
    `X[:n]` / `X[n:]`).

    ## Why is this bad?
    The mean, standard deviation, minimum and maximum then include the validation and test samples:
    information from the held-out data leaks into training. Reported validation and test scores become
    optimistic, and the preprocessing cannot be reproduced at deployment time, where only training
    statistics exist.

    ## Example
    ```python
    import torch
    from torch.utils.data import TensorDataset, random_split

    X, y = torch.randn(1000, 12), torch.randint(0, 2, (1000,))
    X = (X - X.mean(0)) / X.std(0)
    train_set, val_set = random_split(TensorDataset(X, y), [800, 200])
    ```

    ## Use instead
    ```python
    import torch
    from torch.utils.data import TensorDataset

    X, y = torch.randn(1000, 12), torch.randint(0, 2, (1000,))
    X_train, X_val, y_train, y_val = X[:800], X[800:], y[:800], y[800:]
    mean, std = X_train.mean(0), X_train.std(0)
    train_set = TensorDataset((X_train - mean) / std, y_train)
    val_set = TensorDataset((X_val - mean) / std, y_val)
    ```

    ## How to fix
    Split first. Compute the statistics on the training split only (`scaler.fit(X_train)`), then apply
    them to every split (`scaler.transform(X_val)`). Fixed, published constants (ImageNet mean/std) are
    fine anywhere.
    """

    code = "NN103"
    name = "stats-before-split"
    summary = "normalisation statistics computed on the whole data set before it is split (test data leaks)"

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        normalisations = _normalisations(model)
        normalising_functions = _normalising_functions(model, normalisations)
        by_scope: Dict[int, List[_Normalisation]] = {}
        for item in normalisations:
            by_scope.setdefault(id(item.scope), []).append(item)
        # a call to a function that returns normalised data seeds the caller's scope
        for func, item in normalising_functions.items():
            for call in model.callers(func):
                statement = model.parent.get(call.node)
                for binding in bindings_in_order(call.scope):
                    if binding.node is statement and binding.value is call.node:
                        by_scope.setdefault(id(call.scope), []).append(_Normalisation(item.data, item.stat, binding, call.scope))
        reported: Set[int] = set()
        for items in by_scope.values():
            for item in items:
                if id(item.stat) in reported:
                    continue
                split = _split_after(model, item)
                if split is None:
                    continue
                reported.add(id(item.stat))
                ctx.report(
                    item.stat,
                    f"statistics of {item.data} are computed on the whole data set, which is split afterwards "
                    f"(line {model.line_of(split)}): validation/test data leaks into training; split first and "
                    "compute the statistics on the training split",
                    evidence={"data": item.data, "split_line": model.line_of(split)},
                )


def _data_of_stat(model: SemanticModel, call: cst.Call, scope: Scope) -> Optional[str]:
    """The data name a statistic call summarises: ``X`` for ``X.mean(0)``, ``np.std(X)``, ``X.float().max()``."""
    qualname = model.callee_qualname(call, scope)
    if qualname in _STAT_FUNCTIONS:
        data = model.argument(call, 0, "input") or model.argument(call, 0, "a")
        axis = model.argument(call, 1, "dim") or model.argument(call, 1, "axis")
    elif qualname is None and isinstance(call.func, cst.Attribute) and call.func.attr.value in _STAT_METHODS:
        data = call.func.value
        axis = model.argument(call, 0, "dim") or model.argument(call, 0, "axis")
    else:
        return None
    if axis is not None and not _includes_sample_axis(model, axis, scope):
        return None  # per-sample statistics (instance normalisation) see one sample only
    while True:
        if isinstance(data, cst.Call) and isinstance(data.func, cst.Attribute) and data.func.attr.value in _TRANSPARENT_METHODS:
            data = data.func.value
        elif isinstance(data, cst.Attribute) and data.attr.value in _TRANSPARENT_METHODS:
            data = data.value
        else:
            break
    return data.value if isinstance(data, cst.Name) else None


def _includes_sample_axis(model: SemanticModel, axis: cst.BaseExpression, scope: Scope) -> bool:
    """Whether a reduction axis argument covers axis 0, the samples (``0``, ``(0, 2, 3)``); unknown counts as no."""
    elements = [e.value for e in axis.elements] if isinstance(axis, (cst.Tuple, cst.List)) else [axis]
    return any(model.number(element, scope) == 0 for element in elements)


def _stat_calls_in(model: SemanticModel, expr: cst.CSTNode, scope: Scope) -> List[Tuple[cst.Call, str]]:
    found: List[Tuple[cst.Call, str]] = []
    stack: List[cst.CSTNode] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Call):
            data = _data_of_stat(model, node, scope)
            if data is not None:
                found.append((node, data))
                continue
            stack.extend(arg.value for arg in node.args)
            stack.append(node.func)
        elif isinstance(node, (cst.BinaryOperation,)):
            stack.extend((node.left, node.right))
        elif isinstance(node, (cst.Tuple, cst.List)):
            stack.extend(element.value for element in node.elements)
        elif isinstance(node, cst.UnaryOperation):
            stack.append(node.expression)
        elif isinstance(node, cst.Attribute):
            stack.append(node.value)
        elif isinstance(node, cst.Subscript):
            stack.append(node.value)
    return found


def _has_scaling(expr: cst.CSTNode) -> bool:
    """Whether an expression divides (scales): a shift alone (``X - X.min()`` to make data positive) is not normalisation."""
    stack: List[cst.CSTNode] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.BinaryOperation):
            if isinstance(node.operator, cst.Divide):
                return True
            stack.extend((node.left, node.right))
        elif isinstance(node, cst.Call):
            stack.extend(arg.value for arg in node.args)
            if isinstance(node.func, cst.Attribute):
                if node.func.attr.value in ("div", "div_", "true_divide"):
                    return True
                stack.append(node.func.value)
        elif isinstance(node, (cst.Tuple, cst.List)):
            stack.extend(element.value for element in node.elements)
    return False


def _looks_split(name: str) -> bool:
    lowered = name.lower()
    return any(hint in lowered for hint in _SPLIT_NAME_HINTS)


def _normalisations(model: SemanticModel) -> List[_Normalisation]:
    found: List[_Normalisation] = []
    scopes = [model.module_scope, *(f.scope for f in model.functions)]
    for scope in scopes:
        for binding in bindings_in_order(scope):
            if binding.value is None or binding.kind not in ("assign", "annassign", "augassign", "unpack"):
                continue
            item = _arithmetic_normalisation(model, binding, scope) or _sklearn_normalisation(model, binding, scope)
            if item is not None and not _looks_split(item.data) and not _is_split_product(model, binding, item.data, scope):
                found.append(item)
    return found


def _arithmetic_normalisation(model: SemanticModel, binding: Binding, scope: Scope) -> Optional[_Normalisation]:
    """``M = (X - X.mean(0)) / X.std(0)``, ``M = (X - lo) / (hi - lo)`` with ``lo = X.min()``, ``X /= X.max()``."""
    value = binding.value
    assert value is not None
    if binding.kind == "augassign":
        statement = binding.node
        if not (isinstance(statement, cst.AugAssign) and isinstance(statement.operator, cst.DivideAssign)):
            return None
        stats = _stat_calls_in(model, value, scope)
        hits = [(call, data) for call, data in stats if data == binding.name]
        return _Normalisation(binding.name, hits[0][0], binding, scope) if hits else None
    if not _has_scaling(value):
        return None
    reads = [name for name in loaded_names(value)]
    read_names = {name.value for name in reads}
    stats = _stat_calls_in(model, value, scope)
    for name in reads:  # statistics bound earlier: mean = X.mean(0); lo, hi = X.min(), X.max()
        source = reaching_binding(model, name, scope)
        if source is None or source.value is None or source.kind not in ("assign", "unpack", "annassign"):
            continue
        source_value = source.value
        if source.index is not None and isinstance(source_value, cst.Tuple) and len(source.index) == 1 and source.index[0] < len(source_value.elements):
            source_value = source_value.elements[source.index[0]].value
        stats.extend(_stat_calls_in(model, source_value, source.scope) if isinstance(source_value, cst.Call) else [])
    for call, data in stats:
        inline_receivers = sum(1 for c, d in _stat_calls_in(model, value, scope) if d == data)
        direct_reads = sum(1 for name in reads if name.value == data)
        if data in read_names and direct_reads > inline_receivers:
            return _Normalisation(data, call, binding, scope)
    return None


def _scaler_receiver(model: SemanticModel, expr: cst.BaseExpression, scope: Scope) -> Optional[cst.BaseExpression]:
    """The scaler construction behind ``StandardScaler()`` / a name bound to it."""
    if isinstance(expr, cst.Call) and model.callee_qualname(expr, scope) in _SCALERS:
        return expr
    if isinstance(expr, cst.Name):
        source = reaching_binding(model, expr, scope)
        if source is not None and source.index is None and isinstance(source.value, cst.Call):
            if model.callee_qualname(source.value, source.scope) in _SCALERS:
                return source.value
    return None


def _sklearn_normalisation(model: SemanticModel, binding: Binding, scope: Scope) -> Optional[_Normalisation]:
    """``M = scaler.fit_transform(X)``, ``M = StandardScaler().fit(X).transform(X)``, ``M = scale(X)``,
    ``scaler.fit(X)`` earlier then ``M = scaler.transform(X)``."""
    value = binding.value
    if binding.index is not None or not isinstance(value, cst.Call):
        return None
    data_expr = model.argument(value, 0, "X")
    data = data_expr.value if isinstance(data_expr, cst.Name) else None
    if data is None:
        return None
    if model.callee_qualname(value, scope) in _SCALE_FUNCTIONS:
        return _Normalisation(data, value, binding, scope)
    func = value.func
    if not isinstance(func, cst.Attribute):
        return None
    if func.attr.value == "fit_transform" and _scaler_receiver(model, func.value, scope) is not None:
        return _Normalisation(data, value, binding, scope)
    if func.attr.value != "transform":
        return None
    receiver = func.value
    if isinstance(receiver, cst.Call) and isinstance(receiver.func, cst.Attribute) and receiver.func.attr.value == "fit":
        fitted = model.argument(receiver, 0, "X")
        if isinstance(fitted, cst.Name) and fitted.value == data and _scaler_receiver(model, receiver.func.value, scope) is not None:
            return _Normalisation(data, receiver, binding, scope)
        return None
    if not isinstance(receiver, cst.Name):
        return None
    source = reaching_binding(model, receiver, scope)  # scaler = StandardScaler().fit(X)
    fitted_call = source.value if source is not None and source.index is None else None
    if isinstance(fitted_call, cst.Call) and isinstance(fitted_call.func, cst.Attribute) and fitted_call.func.attr.value == "fit":
        fitted = model.argument(fitted_call, 0, "X")
        if isinstance(fitted, cst.Name) and fitted.value == data and _scaler_receiver(model, fitted_call.func.value, source.scope) is not None:
            return _Normalisation(data, fitted_call, binding, scope)
        return None
    scaler = _scaler_receiver(model, receiver, scope)
    if scaler is None:
        return None
    for call in model.calls:  # scaler.fit(X) on the same scaler and the same data, earlier
        if call.method_name == "fit" and call.order < binding.order and isinstance(call.receiver, cst.Name) and call.receiver.value == receiver.value:
            fitted = model.argument(call.node, 0, "X")
            if isinstance(fitted, cst.Name) and fitted.value == data and _scaler_receiver(model, call.receiver, call.scope) is scaler:
                return _Normalisation(data, call.node, binding, scope)
    return None


def _is_split_product(model: SemanticModel, at: Binding, data: str, scope: Scope) -> bool:
    """Whether ``data`` (as read at ``at``) came out of a split: ``train_test_split`` or a row slice."""
    source = model.lookup(data, scope, at.order)
    if source is at:
        candidates = [b for b in scope.bindings.get(data, []) if b.order < at.order]
        source = candidates[-1] if candidates else None
    if source is None or source.value is None:
        return False
    value = source.value
    if isinstance(value, cst.Call) and model.callee_qualname(value, source.scope) in _SPLITS:
        return True
    if source.index is not None and isinstance(value, cst.Tuple) and len(source.index) == 1 and source.index[0] < len(value.elements):
        value = value.elements[source.index[0]].value
    return _row_slice(value) is not None


def _row_slice(node: cst.CSTNode) -> Optional[Tuple[bool, bool]]:
    """(has lower bound, has upper bound) for ``A[a:]`` / ``A[:b]`` / ``A[a:b, ...]``; None otherwise."""
    if not isinstance(node, cst.Subscript) or not node.slice:
        return None
    first = node.slice[0].slice
    if not isinstance(first, cst.Slice) or first.step is not None:
        return None
    if first.lower is None and first.upper is None:
        return None
    return first.lower is not None, first.upper is not None


def _normalising_functions(model: SemanticModel, normalisations: List[_Normalisation]) -> Dict[FunctionInfo, _Normalisation]:
    """Functions that return data normalised with whole-data statistics (``def load(): ...; return X``)."""
    found: Dict[FunctionInfo, _Normalisation] = {}
    for item in normalisations:
        func = item.scope.function
        if func is None or func in found:
            continue
        derived = derived_bindings(model, item.scope, {id(item.result)}, item.result.order)
        for ret in func.returns:
            if ret.value is not None and reads_any(model, ret.value, item.scope, derived):
                found[func] = item
                break
    return found


def _split_after(model: SemanticModel, item: _Normalisation) -> Optional[cst.CSTNode]:
    """The first split of the normalised data (or of what is built from it) after the normalisation."""
    scope = item.scope

    def is_split(binding: Binding) -> bool:
        value = binding.value
        return isinstance(value, cst.Call) and model.callee_qualname(value, binding.scope) in _SPLITS

    derived = derived_bindings(model, scope, {id(item.result)}, item.result.order, boundary=is_split)
    for call in model.calls:
        if call.scope is not scope or call.order <= item.result.order:
            continue
        qualname = model.callee_qualname(call.node, call.scope) or ""
        cross_validation = call.method_name == "split" and call.receiver is not None and _is_sklearn_splitter(model, call)
        if (qualname in _SPLITS or cross_validation) and any(reads_any(model, arg.value, scope, derived) for arg in call.node.args):
            return call.node
    slices: Dict[int, List[Tuple[cst.Subscript, Tuple[bool, bool]]]] = {}
    for node in list(model.order):
        bounds = _row_slice(node)
        if bounds is None or model.order[node] <= item.result.order:
            continue
        assert isinstance(node, cst.Subscript)
        if not isinstance(node.value, cst.Name) or model.scope_of(node) is not scope:
            continue
        source = reaching_binding(model, node.value, scope)
        if source is not None and id(source) in derived:
            slices.setdefault(id(source), []).append((node, bounds))
    for found in slices.values():
        # complementary row ranges, X[:n] and X[n:] (X[:40] and X[50:90] select subsets, they do not split)
        uppers = {_bound(model, n, "upper"): n for n, (lower, upper) in found if upper}
        for node, (lower, _) in found:
            if lower and _bound(model, node, "lower") in uppers:
                return min(node, uppers[_bound(model, node, "lower")], key=lambda n: model.order[n])
    return None


def _bound(model: SemanticModel, subscript: cst.Subscript, which: str) -> str:
    first = subscript.slice[0].slice
    assert isinstance(first, cst.Slice)
    bound = getattr(first, which)
    return model.module.code_for_node(bound) if bound is not None else ""


def _is_sklearn_splitter(model: SemanticModel, call: CallInfo) -> bool:
    receiver = call.receiver
    if isinstance(receiver, cst.Call):
        return (model.callee_qualname(receiver, call.scope) or "").startswith("sklearn.model_selection.")
    if isinstance(receiver, cst.Name):
        source = reaching_binding(model, receiver, call.scope)
        if source is not None and isinstance(source.value, cst.Call):
            return (model.callee_qualname(source.value, source.scope) or "").startswith("sklearn.model_selection.")
    return False
