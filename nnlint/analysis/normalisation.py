"""Where data is normalised with statistics of its own rows: ``(X - X.mean(0)) / X.std(0)``, min/max
scaling, ``X /= X.max()``, an sklearn scaler's ``fit_transform`` / ``fit`` then ``transform``,
``sklearn.preprocessing.scale``, a scaler built from the data's statistics then applied to it; in a
variable, written back into a frame (``df[cols] = ...``), or into a ``self`` attribute. Statistics of a
block of rows (``X[:n].mean(0)``) or of one sample (``dim=1``) are not.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Iterator, List, Optional, Tuple

import libcst as cst

from nnlint.analysis.dataflow import WHOLE, Derived, Positions, bindings_in_order, loaded_names, mutations
from nnlint.analysis.frames import takes_row_block, whole_data_key
from nnlint.analysis.model import Binding, Scope, SemanticModel
from nnlint.analysis.scalers import is_scaler
from nnlint.analysis.splits import SPLIT_FUNCTIONS
from nnlint.analysis.values import reaching_binding, through_assignments

_STAT_METHODS = frozenset(
    {
        "mean",
        "std",
        "var",
        "min",
        "max",
        "amin",
        "amax",
        "nanmean",
        "nanstd",
        "median",
        "quantile",
        "std_mean",
        "var_mean",
    }
)
_STAT_FUNCTIONS = frozenset(
    {
        f"numpy.{n}"
        for n in (
            "mean",
            "std",
            "var",
            "min",
            "max",
            "amin",
            "amax",
            "nanmean",
            "nanstd",
            "nanmin",
            "nanmax",
            "median",
            "percentile",
            "quantile",
        )
    }
    | {
        f"torch.{n}"
        for n in (
            "mean",
            "std",
            "var",
            "min",
            "max",
            "amin",
            "amax",
            "median",
            "quantile",
            "std_mean",
            "var_mean",
            "aminmax",
        )
    }
)
_SCALE_FUNCTIONS = frozenset(
    "sklearn.preprocessing." + n for n in ("scale", "minmax_scale", "robust_scale", "maxabs_scale")
)
_BINDING_KINDS = ("assign", "annassign", "augassign", "unpack")
# a file without a call of one of these names normalises nothing (checked first: it is cheap)
_NORMALISING_CALLS = tuple(
    _STAT_METHODS | {q.rsplit(".", 1)[1] for q in _STAT_FUNCTIONS | _SCALE_FUNCTIONS} | {"fit_transform", "transform"}
)


@dataclass
class Normalisation:
    data: str  # the data whose statistics are computed: a variable, or ``self.<attr>``
    stat: cst.CSTNode  # where the statistics are computed (reported)
    scope: Scope
    seeds: Derived  # the bindings that hold the normalised data, and from where on
    after: int  # position after which the normalised data exists
    data_param: Optional[str] = None  # the data is this parameter of the enclosing function
    attribute: Optional[str] = None  # the normalised data is written to ``self.<attribute>``
    returned: Optional[Positions] = None  # the normalised data is returned (``return scaler.fit_transform(X), scaler``)
    # the data is one element of a collection, taken by this loop or comprehension (``for img in images:``):
    # its statistics are per sample (or per series), unless the split is made inside the same loop
    per_element: Optional[cst.CSTNode] = None


@dataclass
class _Write:
    """A value stored somewhere: a variable, a frame's columns (``df[cols] = v``), a ``self`` attribute."""

    key: str  # what is written: the variable, the frame, ``self.<attr>``
    value: cst.BaseExpression
    statement: cst.CSTNode
    order: int
    seeds: Derived
    after: int
    augmented: Optional[cst.BaseAugOp] = None
    attribute: Optional[str] = None
    returned: Optional[Positions] = None


_CACHE: "weakref.WeakKeyDictionary[SemanticModel, List[Normalisation]]" = weakref.WeakKeyDictionary()


def normalisations(model: SemanticModel) -> List[Normalisation]:
    """Every normalisation of data with whole-data statistics in a file, in source order per scope."""
    found = _CACHE.get(model)
    if found is None:
        found = _CACHE[model] = list(_find(model)) if model.calls_named(*_NORMALISING_CALLS) else []
    return found


def _find(model: SemanticModel) -> Iterator[Normalisation]:
    for scope in [model.module_scope, *(f.scope for f in model.functions)]:
        for write in _writes(model, scope):
            hit = (
                _arithmetic(model, write, scope) or _sklearn(model, write, scope) or _stats_object(model, write, scope)
            )
            if hit is None:
                continue
            data, stat = hit
            source = model.lookup(data, scope, write.order) if "." not in data else None
            if source is not None and is_split_product(model, source.value, source):
                continue
            param = data if source is not None and source.kind == "param" and source.scope is scope else None
            loop = element_loop(model, data, stat, source)
            yield Normalisation(
                data, stat, scope, write.seeds, write.after, param, write.attribute, write.returned, loop
            )


def _writes(model: SemanticModel, scope: Scope) -> Iterator[_Write]:
    for binding in bindings_in_order(scope):
        if binding.value is None or binding.kind not in _BINDING_KINDS:
            continue
        value = binding.value
        if binding.index is not None:  # `a, b = (a - m) / s, (b - m) / s`: each element is its own value
            if not (
                isinstance(value, cst.Tuple) and len(binding.index) == 1 and binding.index[0] < len(value.elements)
            ):
                continue
            value = value.elements[binding.index[0]].value
        augmented = binding.node.operator if isinstance(binding.node, cst.AugAssign) else None
        yield _Write(
            binding.name, value, binding.node, binding.order, {id(binding): binding.order}, binding.order, augmented
        )
    for mutation in mutations(model, scope):
        changed = reaching_binding(model, mutation.target, scope) if mutation.write else None
        if changed is None:
            continue
        augmented = mutation.node.operator if isinstance(mutation.node, cst.AugAssign) else None
        yield _Write(
            mutation.target.value,
            mutation.value,
            mutation.node,
            mutation.order,
            {id(changed): mutation.end},
            mutation.end,
            augmented,
        )
    func = scope.function
    for ret in func.returns if func is not None else []:
        if isinstance(ret.value, cst.Tuple):
            for position, element in enumerate(ret.value.elements):
                yield _Write(
                    "<return>",
                    element.value,
                    ret,
                    model.order[ret],
                    {},
                    model.order[ret],
                    returned=frozenset({position}),
                )
        elif ret.value is not None:
            yield _Write("<return>", ret.value, ret, model.order[ret], {}, model.order[ret], returned=WHOLE)
    if func is not None and func.cls is not None and func.instance_param is not None:
        for name, bindings in func.cls.attributes.items():
            for binding in bindings:
                if binding.scope is scope and binding.value is not None:
                    augmented = binding.node.operator if isinstance(binding.node, cst.AugAssign) else None
                    key = f"{func.instance_param}.{name}"
                    yield _Write(key, binding.value, binding.node, binding.order, {}, binding.order, augmented, name)


def element_loop(model: SemanticModel, data: str, at: cst.CSTNode, source: Optional[Binding]) -> Optional[cst.CSTNode]:
    """The loop or comprehension that takes ``data`` one element at a time, as read at ``at``: it is the
    loop's target (``for img in images``, ``[f(x) for x in rows]``) or bound inside a loop around ``at``
    (``for path in paths: img = load(path)``). None when ``data`` is bound outside every loop around ``at``."""
    for ancestor in model.ancestors(at):
        if isinstance(ancestor, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
            comp: Optional[cst.CompFor] = ancestor.for_in
            while comp is not None:
                if data in {name.value for name in loaded_names(comp.target)}:
                    return ancestor
                comp = comp.inner_for_in
        elif isinstance(ancestor, (cst.For, cst.While)):
            if source is not None and model.order[ancestor] <= source.order <= model.subtree_end[ancestor]:
                return ancestor
        elif isinstance(ancestor, (cst.FunctionDef, cst.ClassDef)):
            break
    return None


def _data_of_stat(model: SemanticModel, call: cst.Call, scope: Scope) -> Optional[str]:
    """The data a statistic summarises over its samples: ``X`` for ``X.mean(0)``, ``np.std(X)``,
    ``df['c'].max()``; None for a per-sample statistic (``X.mean(dim=1)``) or a block of rows."""
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
    return whole_data_key(model, data, scope) if data is not None else None


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
        elif isinstance(node, cst.BinaryOperation):
            stack.extend((node.left, node.right))
        elif isinstance(node, (cst.Tuple, cst.List)):
            stack.extend(element.value for element in node.elements)
        elif isinstance(node, cst.UnaryOperation):
            stack.append(node.expression)
        elif isinstance(node, (cst.Attribute, cst.Subscript)):
            stack.append(node.value)
    return found


def _has_scaling(expr: cst.CSTNode) -> bool:
    """Whether an expression divides (scales): a shift alone (``X - X.min()`` to make data positive) is not
    normalisation."""
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


def _data_reads(model: SemanticModel, expr: cst.CSTNode) -> List[str]:
    """The data an expression reads, one key per read: ``X``, or ``self._x`` for a ``self`` attribute."""
    keys: List[str] = []
    for name in loaded_names(expr):
        parent = model.parent.get(name)
        if name.value in ("self", "cls") and isinstance(parent, cst.Attribute) and parent.value is name:
            keys.append(f"{name.value}.{parent.attr.value}")
        else:
            keys.append(name.value)
    return keys


def _bound_statistics(model: SemanticModel, expr: cst.CSTNode, scope: Scope) -> List[Tuple[cst.Call, str]]:
    """Statistics bound to names earlier and read here: ``mean = X.mean(0)``; ``lo, hi = X.min(), X.max()``."""
    found: List[Tuple[cst.Call, str]] = []
    for name in loaded_names(expr):
        source = reaching_binding(model, name, scope)
        if source is None or source.value is None or source.kind not in ("assign", "unpack", "annassign"):
            continue
        value = source.value
        if source.index is not None:
            if not (isinstance(value, cst.Tuple) and len(source.index) == 1 and source.index[0] < len(value.elements)):
                continue
            value = value.elements[source.index[0]].value
        if isinstance(
            value, (cst.Call, cst.BinaryOperation, cst.Attribute, cst.Subscript)
        ):  # X.min(0).values, X.max(0)[0]
            found.extend(_stat_calls_in(model, value, source.scope))
    return found


def _arithmetic(model: SemanticModel, write: _Write, scope: Scope) -> Optional[Tuple[str, cst.CSTNode]]:
    """``M = (X - X.mean(0)) / X.std(0)``, ``M = (X - lo) / (hi - lo)`` with ``lo = X.min()``, ``X /= X.max()``,
    ``df['c'] = (df['c'] - df['c'].mean()) / df['c'].std()``."""
    value = write.value
    if write.augmented is not None:
        if not isinstance(write.augmented, cst.DivideAssign):
            return None
        stats = _stat_calls_in(model, value, scope) + _bound_statistics(model, value, scope)
        hits = sorted((call for call, data in stats if data == write.key), key=lambda call: model.order.get(call, 0))
        return (write.key, hits[0]) if hits else None
    if not _has_scaling(value):
        return None
    reads = _data_reads(model, value)
    inline = _stat_calls_in(model, value, scope)
    candidates = sorted(inline + _bound_statistics(model, value, scope), key=lambda hit: model.order.get(hit[0], 0))
    for call, data in candidates:
        inline_receivers = sum(1 for _, d in inline if d == data)
        if reads.count(data) > inline_receivers:  # the data itself is read besides its statistics
            return data, call
    return None


def _sklearn(model: SemanticModel, write: _Write, scope: Scope) -> Optional[Tuple[str, cst.CSTNode]]:
    """``M = scaler.fit_transform(X)``, ``M = StandardScaler().fit(X).transform(X)``, ``M = scale(X)``,
    ``scaler.fit(X)`` earlier then ``M = scaler.transform(X)``; ``X`` may be a column selection
    (``df[['c']]``, ``df.values``); the scaler may be an element of a list of scalers (``scalers[i]``)."""
    value = write.value
    if not isinstance(value, cst.Call) or write.augmented is not None:
        return None
    data_expr = model.argument(value, 0, "X")
    data = whole_data_key(model, data_expr, scope) if data_expr is not None else None
    if data is None:
        return None
    if model.callee_qualname(value, scope) in _SCALE_FUNCTIONS:
        return data, value
    func = value.func
    if not isinstance(func, cst.Attribute):
        return None
    if func.attr.value == "fit_transform" and is_scaler(model, func.value, scope):
        return data, value
    if func.attr.value != "transform":
        return None
    receiver = func.value
    fit = _fit_call(model, receiver, scope)
    if fit is not None:
        fit_call, fit_scope = fit
        return (data, fit_call) if _fits(model, fit_call, fit_scope, data) else None
    if not is_scaler(model, receiver, scope):
        return None
    code = model.module.code_for_node(receiver)
    for call in model.calls_named("fit"):  # scaler.fit(X) on the same scaler and the same data, earlier
        if call.order < write.order and call.scope is scope and call.receiver is not None:
            if model.module.code_for_node(call.receiver) == code and _fits(model, call.node, scope, data):
                return data, call.node
    return None


def _stats_object(model: SemanticModel, write: _Write, scope: Scope) -> Optional[Tuple[str, cst.CSTNode]]:
    """``M = scaler.transform(X)`` where ``scaler = Scaler(mean, std)`` was built from statistics of ``X``
    itself (``mean = X.mean()``): a scaler class of the project's own, or of any library, applying them."""
    value = write.value
    if not isinstance(value, cst.Call) or write.augmented is not None or not isinstance(value.func, cst.Attribute):
        return None
    if value.func.attr.value.startswith(("inverse", "denorm", "unnorm", "fit")):
        return None
    data_expr = model.argument(value, 0, "data")
    data = whole_data_key(model, data_expr, scope) if data_expr is not None else None
    if data is None:
        return None
    found = through_assignments(model, value.func.value, scope, hops=2)  # `scaler = Scaler(...)`, one hop
    built, built_scope = found if found is not None else (None, scope)
    if not isinstance(built, cst.Call):
        return None
    stats: List[Tuple[cst.Call, str]] = []
    for arg in built.args:
        stats.extend(_stat_calls_in(model, arg.value, built_scope) + _bound_statistics(model, arg.value, built_scope))
    hits = sorted((call for call, of in stats if of == data), key=lambda call: model.order.get(call, 0))
    return (data, hits[0]) if hits else None


def _fit_call(model: SemanticModel, receiver: cst.BaseExpression, scope: Scope) -> Optional[Tuple[cst.Call, Scope]]:
    """``Scaler().fit(X)`` as the receiver itself, or bound to it (``scaler = StandardScaler().fit(X)``)."""
    if isinstance(receiver, cst.Name):
        source = reaching_binding(model, receiver, scope)
        if source is None or source.index is not None or source.value is None:
            return None
        receiver, scope = source.value, source.scope
    if (
        isinstance(receiver, cst.Call)
        and isinstance(receiver.func, cst.Attribute)
        and receiver.func.attr.value == "fit"
    ):
        return receiver, scope
    return None


def _fits(model: SemanticModel, fit_call: cst.Call, scope: Scope, data: str) -> bool:
    """Whether a ``<scaler>.fit(X)`` call fits a scaler on all the rows of ``data``."""
    assert isinstance(fit_call.func, cst.Attribute)
    fitted = model.argument(fit_call, 0, "X")
    return (
        fitted is not None
        and whole_data_key(model, fitted, scope) == data
        and is_scaler(model, fit_call.func.value, scope)
    )


def is_split_product(model: SemanticModel, value: Optional[cst.BaseExpression], source: Binding) -> bool:
    """Whether data was bound to a part of a split: ``train_test_split(...)`` or a block of rows ``X[:n]``."""
    if value is None:
        return False
    if isinstance(value, cst.Call) and model.callee_qualname(value, source.scope) in SPLIT_FUNCTIONS:
        return True
    if (
        source.index is not None
        and isinstance(value, cst.Tuple)
        and len(source.index) == 1
        and source.index[0] < len(value.elements)
    ):
        value = value.elements[source.index[0]].value
    return takes_row_block(model, value)
