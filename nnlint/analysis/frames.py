"""Data frames and arrays as written in data-science code: which data an expression reads as a whole,
and which expressions take a block of rows out of it.

``scaler.fit_transform(df[['Close']])``, ``df.Close.values.reshape(-1, 1)``, ``df.loc[:, 'c']``,
``X[:, 3]``, ``df.drop(columns=['y'])`` all read *every row* of ``df`` (a column selection keeps the
samples); ``df[:800]``, ``df.iloc[800:]``, ``X[idx]`` read a subset of them. A statistic of the first kind
summarises the whole data set, one of the second kind does not. Row blocks written as complementary
slices (``X[:n]`` and ``X[n:]``) are how a train/test split is most often written by hand.

A data reference is named by a key: the variable (``df``) or a ``self`` attribute (``self._x``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Tuple

import libcst as cst

if TYPE_CHECKING:
    from nnlint.analysis.model import Scope, SemanticModel

# calls that keep every row of what they are called on (type and device changes, copies, missing values)
_ROW_KEEPING_METHODS = frozenset(
    {
        "float",
        "double",
        "astype",
        "to",
        "numpy",
        "detach",
        "cpu",
        "values",
        "to_numpy",
        "copy",
        "dropna",
        "fillna",
        "squeeze",
    }
)
_RESHAPES = frozenset({"reshape", "view"})
# attributes that are not the data: metadata, or an axis permutation (``X.T.mean(0)`` reduces features)
_NOT_DATA_ATTRIBUTES = frozenset(
    {
        "shape",
        "dtype",
        "dtypes",
        "ndim",
        "size",
        "columns",
        "index",
        "T",
        "mT",
        "device",
        "iloc",
        "loc",
        "at",
        "iat",
        "str",
        "dt",
    }
)
_INDEXERS = frozenset({"loc", "iloc"})


def whole_data_key(model: "SemanticModel", expr: cst.BaseExpression, scope: "Scope") -> Optional[str]:
    """The data an expression reads with all of its rows: ``df`` for ``df[['c']]``, ``df.Close.values``,
    ``df.loc[:, cols]``, ``X[:, 0]``, ``X.astype(float).reshape(-1, 1)``; ``self._x`` for ``self._x``.
    None when it reads a subset of the rows (``X[:n]``, ``df.iloc[idx]``) or is not plainly data."""
    for _ in range(16):
        if isinstance(expr, cst.Name):
            return expr.value
        if isinstance(expr, cst.Attribute):
            if isinstance(expr.value, cst.Name) and expr.value.value in ("self", "cls"):
                return f"{expr.value.value}.{expr.attr.value}"
            if expr.attr.value in _NOT_DATA_ATTRIBUTES:
                return None
            expr = expr.value  # df.values, df.Close: a column or the frame's array
            continue
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
            method = expr.func.attr.value
            keeps_rows = method in _ROW_KEEPING_METHODS or (
                method in _RESHAPES and _keeps_rows_reshape(model, expr, scope)
            )
            if not keeps_rows and not (method == "drop" and _drops_columns(model, expr, scope)):
                return None
            expr = expr.func.value
            continue
        if isinstance(expr, cst.Subscript):
            inner = _column_selection_base(model, expr, scope)
            if inner is None:
                return None
            expr = inner
            continue
        return None
    return None


def _keeps_rows_reshape(model: "SemanticModel", call: cst.Call, scope: "Scope") -> bool:
    """``x.reshape(-1, 1)`` / ``x.reshape((-1, k))``: rows stay rows (a 1-D series becomes a column)."""
    first = model.argument(call, 0, None)
    if isinstance(first, (cst.Tuple, cst.List)) and first.elements:
        first = first.elements[0].value
    return model.number(first, scope) == -1


def _drops_columns(model: "SemanticModel", call: cst.Call, scope: "Scope") -> bool:
    """``df.drop(columns=[...])`` or ``df.drop([...], axis=1)`` (``axis='columns'``): every row is kept."""
    if model.has_keyword(call, "columns"):
        return True
    axis = model.argument(call, 1, "axis")
    if axis is None:
        return False
    return model.number(axis, scope) == 1 or (isinstance(axis, cst.SimpleString) and axis.evaluated_value == "columns")


def _column_selection_base(model: "SemanticModel", node: cst.Subscript, scope: "Scope") -> Optional[cst.BaseExpression]:
    """What a subscript selects columns of: ``df`` for ``df['c']``, ``df[['a', 'b']]``, ``df[cols]``
    (``cols`` a list of names), ``df.loc[:, 'c']``, ``X[:, 0]``, ``X[..., :3]``; None for a row selection."""
    elements = [element.slice for element in node.slice]
    value = node.value
    if isinstance(value, cst.Attribute) and value.attr.value in _INDEXERS:
        # .loc[rows, columns] / .iloc[rows, columns]: every row only with a full first slice
        return value.value if len(elements) >= 2 and _is_full(elements[0]) else None
    if len(elements) >= 2:
        return value if _is_full(elements[0]) else None
    if len(elements) == 1 and isinstance(elements[0], cst.Index) and _is_column_key(model, elements[0].value, scope):
        return value
    return None


def _is_full(element: cst.BaseSlice) -> bool:
    if isinstance(element, cst.Index):
        return isinstance(element.value, cst.Ellipsis)
    assert isinstance(element, cst.Slice)
    return element.lower is None and element.upper is None and element.step is None


def _is_column_key(model: "SemanticModel", key: cst.BaseExpression, scope: "Scope", depth: int = 0) -> bool:
    """A column name or a list of them: a string, ``['a', 'b']``, or a name bound to one of those or to
    the frame's own ``.columns`` (``cols = df.columns.to_list()``, ``cols = [c for c in df.columns if ...]``)."""
    if isinstance(key, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
        return True
    if isinstance(key, (cst.List, cst.Tuple)):
        return bool(key.elements) and all(_is_column_key(model, e.value, scope, depth + 1) for e in key.elements)
    if isinstance(key, cst.Name) and depth < 3:
        binding = model.reaching_value(key, scope)
        if binding is None or binding.value is None:
            return False
        value = binding.value
        if binding.kind == "for":  # `for col in cols:` / `for i, col in enumerate(cols):`: one column at a time
            if (
                isinstance(value, cst.Call)
                and isinstance(value.func, cst.Name)
                and value.func.value == "enumerate"
                and binding.index == (1,)
            ):
                value = value.args[0].value if value.args else value
            elif binding.index is not None:
                return False
        elif binding.index is not None or binding.kind not in ("assign", "annassign"):
            return False
        if any(
            isinstance(node, cst.Attribute) and node.attr.value == "columns"
            for node in model.descendants(value, cst.Attribute)
        ):
            return True
        return _is_column_key(model, value, binding.scope, depth + 1)
    return False


def row_slice(
    model: "SemanticModel", node: cst.CSTNode
) -> Optional[Tuple[Optional[cst.BaseExpression], Optional[cst.BaseExpression]]]:
    """(lower, upper) bounds of a block of rows, ``X[a:]`` / ``X[:b]`` / ``X[a:b, ...]`` / ``df.iloc[a:b]``,
    without the bounds that bound nothing (a lower ``0``, an upper ``len(X)``); None when the subscript
    does not take a row block or takes all rows."""
    if not isinstance(node, cst.Subscript) or not node.slice:
        return None
    first = node.slice[0].slice
    if not isinstance(first, cst.Slice) or first.step is not None:
        return None
    lower = None if first.lower is not None and model.number(first.lower) == 0 else first.lower
    upper = first.upper
    if (
        isinstance(upper, cst.Call)
        and isinstance(upper.func, cst.Name)
        and upper.func.value == "len"
        and len(upper.args) == 1
    ):
        measured = upper.args[0].value
        sliced = sliced_name(node)
        if isinstance(measured, cst.Name) and sliced is not None and measured.value == sliced.value:
            upper = None
    if lower is None and upper is None:
        return None
    return lower, upper


def takes_row_block(model: "SemanticModel", expr: cst.BaseExpression) -> bool:
    """Whether an expression is a block of rows, also behind copies and conversions:
    ``X[:n]``, ``df.iloc[n:].copy()``, ``df[:n].reset_index(drop=True)``, ``X[:n].values``."""
    for _ in range(8):
        if (
            isinstance(expr, cst.Call)
            and isinstance(expr.func, cst.Attribute)
            and (expr.func.attr.value in _ROW_KEEPING_METHODS or expr.func.attr.value == "reset_index")
        ):
            expr = expr.func.value
        elif isinstance(expr, cst.Attribute) and expr.attr.value == "values":
            expr = expr.value
        else:
            break
    return row_slice(model, expr) is not None


def sliced_name(node: cst.Subscript) -> Optional[cst.Name]:
    """The variable a row slice is taken of: ``X`` in ``X[:n]``, ``df.iloc[:n]``, ``df.values[:n]``."""
    value = node.value
    if isinstance(value, cst.Attribute) and value.attr.value in (*_INDEXERS, "values"):
        value = value.value
    return value if isinstance(value, cst.Name) else None
