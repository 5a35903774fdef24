from __future__ import annotations

from typing import Dict, Iterator, List, Optional, Set, Tuple

import libcst as cst

from nnlint.analysis.dataflow import WHOLE, Derived, Positions, Sources, derived_bindings, reads_any
from nnlint.analysis.frames import takes_row_block, whole_data_key
from nnlint.analysis.model import CallInfo, ClassInfo, FunctionInfo, SemanticModel
from nnlint.analysis.normalisation import Normalisation, element_loop, is_split_product, normalisations
from nnlint.analysis.splits import SplitFinder, has_split_site, is_split_binding, splits_one_element
from nnlint.analysis.values import reaching_binding
from nnlint.context import RuleContext
from nnlint.rule import Rule

_MAX_CALLER_DEPTH = 4


class StatsBeforeSplit(Rule):
    """## What it does
    Finds normalisation statistics (`X.mean()`/`X.std()`, min/max scaling, `StandardScaler().fit`,
    `fit_transform`, `sklearn.preprocessing.scale`, or a scaler of the project's own built from the data's
    statistics and applied to it: `scaler = Scaler(X.mean(), X.std())`; `X = scaler.transform(X)`)
    computed over a whole data set that is afterwards
    split into training and validation/test parts (`random_split`, `train_test_split`, a cross-validation
    splitter such as `KFold` or `TimeSeriesSplit`, or complementary row blocks `X[:n]` / `X[n:]`, also
    written `X[0:n]` / `X[n:len(X)]` or `df.iloc[...]`).

    The data may be a column selection (`df[['Close']]`, `df.Close.values.reshape(-1, 1)`, `df[cols]`,
    `X[:, :3]`), the result may be written back into the frame (`df[cols] = scaler.fit_transform(df[cols])`)
    and the scaler may be an element of a list (`scalers[i]`). The normalised data is followed through
    assignments, windows built with `list.append` in a loop, helpers that build and return windows or
    return the normalised data (tuple positions are told apart), helpers that split what they are given,
    and data sets whose constructor normalises their own samples (`self.x = (self.x - mean) / std`,
    also when the class is in another file of the project). Statistics of one element at a time
    (`for img in images: img = (img - img.mean()) / img.std()`) and of a block of rows are not whole-data
    statistics, unless the rows of that element are split afterwards (one scaler per price series, then
    `split_data(x_list[i], ...)` on that series' windows): the element is then the whole data set.
    Variable names play no part.

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

    ```python
    import numpy as np
    import pandas as pd
    from sklearn.preprocessing import StandardScaler

    df = pd.read_csv("prices.csv")
    df["Close"] = StandardScaler().fit_transform(df[["Close"]])
    windows = []
    for i in range(len(df) - 30):
        windows.append(df.Close[i:i + 30])
    windows = np.array(windows)
    n = int(0.8 * len(windows))
    train, test = windows[:n], windows[n:]
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

    ```python
    import numpy as np
    import pandas as pd
    from sklearn.preprocessing import StandardScaler

    df = pd.read_csv("prices.csv")
    n = int(0.8 * len(df))
    scaler = StandardScaler().fit(df[["Close"]][:n])
    df["Close"] = scaler.transform(df[["Close"]])
    windows = []
    for i in range(len(df) - 30):
        windows.append(df.Close[i:i + 30])
    windows = np.array(windows)
    train, test = windows[:n - 30], windows[n - 30:]
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
        finder = SplitFinder()
        reported: Set[int] = set()
        for item in normalisations(model):
            if id(item.stat) in reported:
                continue
            split = _split_reached(model, item, finder)
            if split is None:
                continue
            reported.add(id(item.stat))
            _report(ctx, item.stat, f"statistics of {item.data} are computed on the whole data set", item.data, split)
        for call, item, owner, split, made in _normalised_by_calls(model, finder):
            if id(item.stat) in reported or id(call) in reported:
                continue
            if owner is model:
                reported.add(id(item.stat))
                _report(
                    ctx, item.stat, f"statistics of {item.data} are computed on the whole data set", item.data, split
                )
                continue
            reported.add(id(call))
            where = owner.where(item.stat, relative_to=model)
            _report(ctx, call.node, f"{made} with statistics of all its samples ({where})", item.data, split)


def _report(ctx: RuleContext, node: cst.CSTNode, what: str, data: str, split: cst.CSTNode) -> None:
    line = ctx.model.line_of(split)
    ctx.report(
        node,
        f"{what}, which is split afterwards (line {line}): validation/test data leaks into training; "
        "split first and compute the statistics on the training split",
        evidence={"data": data, "split_line": line},
    )


def _split_reached(model: SemanticModel, item: Normalisation, finder: SplitFinder) -> Optional[cst.CSTNode]:
    """The first split that the normalised data reaches: in its own scope, in a function it is passed
    to, or in the callers of the function that returns it."""
    if item.attribute is not None:
        return None
    func = item.scope.function
    if item.per_element is not None:  # one sample (or series) at a time: a split in the same loop leaks,
        loop = item.per_element  # and so does a later split of one element's own rows (`split(xs[i])`)
        derived = derived_bindings(
            model, item.scope, item.seeds, item.after, boundary=lambda b: is_split_binding(b, model)
        )
        split = finder.first_split(model, item.scope, derived, item.after)
        if split is None:
            return None
        inside = model.order[split] <= model.subtree_end[loop]
        return split if inside or splits_one_element(model, split, item.scope, derived) else None
    if item.returned is not None:
        return _split_in_callers(model, func, item.returned, item.data_param, finder, 0, set())
    derived = derived_bindings(model, item.scope, item.seeds, item.after, boundary=lambda b: is_split_binding(b, model))
    split = finder.first_split(model, item.scope, derived, item.after)
    if split is not None or func is None:
        return split
    positions = _returned_positions(model, func, derived, None)
    return (
        _split_in_callers(model, func, positions, item.data_param, finder, 0, set()) if positions is not None else None
    )


def _normalised_by_calls(
    model: SemanticModel, finder: SplitFinder
) -> Iterator[Tuple[CallInfo, Normalisation, SemanticModel, cst.CSTNode, str]]:
    """Calls whose result is data normalised somewhere else, with the split that result reaches: the
    construction of a class (of this file or of the project) that normalises its own data while it is
    built (``random_split(OzeDataset(path), ...)`` with ``self._x = (self._x - mean) / std`` in
    ``__init__`` or a method it calls), or a call of another project file's function that returns
    normalised data (same-file helpers are followed from their normalisation, by ``_split_in_callers``)."""
    if not has_split_site(model):
        return
    summaries: Dict[int, Optional[Tuple[Normalisation, SemanticModel, Positions]]] = {}
    for call in model.calls:
        kind = _callee_root_kind(model, call)
        if kind not in ("class", "import"):
            continue
        cls = model.resolve_class(call.node.func, call.scope)
        func = None if cls is not None or kind != "import" else model.resolve_function(call.node.func, call.scope)
        target = cls if cls is not None else func
        if target is None:
            continue
        if id(target) not in summaries:
            summaries[id(target)] = (
                _normalised_at_construction(cls) if cls is not None else _returns_normalised(model, func)
            )
        summary = summaries[id(target)]
        if summary is None:
            continue
        item, owner, positions = summary
        if func is not None and item.data_param is not None and _passes_subset(model, call, func, item.data_param):
            continue

        def returned(node: cst.Call, at: cst.Call = call.node, held: Positions = positions) -> Optional[Positions]:
            return held if node is at else None

        split = _split_from_call(model, call, returned, finder, 0, set())
        if split is not None:
            made = (
                f"{cls.name}(...) normalises {item.data}"
                if cls is not None
                else f"{target.name}() returns {item.data} normalised"
            )
            yield call, item, owner, split, made


def _callee_root_kind(model: SemanticModel, call: CallInfo) -> Optional[str]:
    """What binds the root name of a callee (``class``, ``import``, ``def``...): a cheap test before resolving."""
    root = call.node.func
    while isinstance(root, cst.Attribute):
        root = root.value
    if not isinstance(root, cst.Name):
        return None
    binding = model.lookup(root.value, call.scope, call.order)
    return binding.kind if binding is not None else None


def _returns_normalised(
    model: SemanticModel, func: Optional[FunctionInfo]
) -> Optional[Tuple[Normalisation, SemanticModel, Positions]]:
    """A function of another project file that returns data it normalised (``def load(): ...; return X, y``)."""
    owner = model.owner_of(func) if func is not None else None
    if func is None or owner is None or owner is model:
        return None
    for item in normalisations(owner):
        if item.scope is func.scope and item.returned is not None:
            return item, owner, item.returned
        if item.scope is func.scope and item.attribute is None:
            derived = derived_bindings(
                owner, func.scope, item.seeds, item.after, boundary=lambda b: is_split_binding(b, owner)
            )
            positions = _returned_positions(owner, func, derived, None)
            if positions is not None:
                return item, owner, positions
    return None


def _normalised_at_construction(cls: ClassInfo) -> Optional[Tuple[Normalisation, SemanticModel, Positions]]:
    """A normalisation of a ``self`` attribute in ``__init__`` or in a method that ``__init__`` calls."""
    for method in _construction_methods(cls):
        owner = method.cls.owner if method.cls is not None else cls.owner
        for item in normalisations(owner):
            if item.attribute is not None and item.scope is method.scope:
                return item, owner, WHOLE
    return None


def _construction_methods(cls: ClassInfo) -> List[FunctionInfo]:
    init = cls.owner.method_of(cls, "__init__")
    methods: List[FunctionInfo] = []
    stack = [init] if init is not None else []
    while stack and len(methods) < 20:
        method = stack.pop()
        if method in methods:
            continue
        methods.append(method)
        for call in method.calls:  # self.load() from __init__: resolved on the constructed class
            func = call.node.func
            if (
                isinstance(func, cst.Attribute)
                and isinstance(func.value, cst.Name)
                and method.params
                and func.value.value == method.params[0]
            ):
                target = cls.owner.method_of(cls, func.attr.value)
                if target is not None:
                    stack.append(target)
    return methods


def _split_in_callers(
    model: SemanticModel,
    func: Optional[FunctionInfo],
    positions: Positions,
    data_param: Optional[str],
    finder: SplitFinder,
    depth: int,
    seen: Set[int],
) -> Optional[cst.CSTNode]:
    """``def load(): ...; return X_norm, y`` then ``X, y = load()`` and a split of ``X`` in the caller (or
    in the caller's caller: helpers of helpers)."""
    if func is None or depth > _MAX_CALLER_DEPTH or id(func) in seen:
        return None
    seen.add(id(func))
    for call in model.callers(func):
        if data_param is not None and _passes_subset(model, call, func, data_param):
            continue  # the helper normalises what it is given, and this caller gives it a training part

        def returned(node: cst.Call, target: cst.Call = call.node, held: Positions = positions) -> Optional[Positions]:
            return held if node is target else None

        split = _split_from_call(model, call, returned, finder, depth, seen)
        if split is not None:
            return split
    return None


def _split_from_call(
    model: SemanticModel, call: CallInfo, returned: Sources, finder: SplitFinder, depth: int, seen: Set[int]
) -> Optional[cst.CSTNode]:
    """The first split that the result of a call returning normalised data reaches (there, or in the
    callers of the function making the call, when it returns that result in turn)."""
    derived = derived_bindings(
        model, call.scope, {}, 0, boundary=lambda b: is_split_binding(b, model), sources=returned
    )
    split = finder.first_split(model, call.scope, derived, 0, returned)
    func = call.scope.function
    if split is not None or func is None:
        return split
    positions = _returned_positions(model, func, derived, returned)
    return _split_in_callers(model, func, positions, None, finder, depth + 1, seen) if positions is not None else None


def _returned_positions(
    model: SemanticModel, func: FunctionInfo, derived: Derived, sources: Optional[Sources]
) -> Optional[Positions]:
    """What a function's returns hold of the value: WHOLE, the positions of a returned tuple, or None."""
    positions: Set[int] = set()
    for ret in func.returns:
        value = ret.value
        if value is None:
            continue
        if isinstance(value, cst.Tuple):
            positions.update(
                i for i, e in enumerate(value.elements) if reads_any(model, e.value, func.scope, derived, sources)
            )
        elif reads_any(model, value, func.scope, derived, sources):
            return WHOLE
    return frozenset(positions) if positions else None


def _passes_subset(model: SemanticModel, call: CallInfo, func: FunctionInfo, param: str) -> bool:
    """Whether a call passes a block of rows, a split's part, or one element of a collection for a
    parameter (``scale(X[:n])``, ``[normalise(img) for img in images]``)."""
    arg = model.argument(call.node, func.param_index(param), param)
    if arg is None:
        return False
    key = whole_data_key(model, arg, call.scope)
    if key is not None and "." not in key:
        if element_loop(model, key, call.node, model.lookup(key, call.scope, model.order.get(arg))) is not None:
            return True
    if takes_row_block(model, arg):
        return True
    if isinstance(arg, cst.Subscript):
        return whole_data_key(model, arg, call.scope) is None  # X[train_idx], X[mask]
    if isinstance(arg, cst.Name):
        source = reaching_binding(model, arg, call.scope)
        return source is not None and is_split_product(model, source.value, source)
    return False
