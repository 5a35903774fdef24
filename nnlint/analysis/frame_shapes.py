"""Shapes of pandas data: a column of a data frame is one value per row, ``(L,)``.

``torch.FloatTensor(data["rating"].values)`` is a vector when ``data`` is a data frame: one read by
``pd.read_csv`` (or another reader), built by ``pd.DataFrame``/``pd.concat``/``pd.merge``, a row- or
column-keeping method of one (``dropna()``, ``sample(frac=1)``, ``reset_index()``...), or a parameter every
caller passes one for. A column is selected by a string key (``df["y"]``); ``.values`` and ``.to_numpy()``
keep its shape. Part of the shape analysis of :mod:`~nnlint.analysis.batch_shapes`.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from nnlint.analysis.dims import TensorShape, known
from nnlint.analysis.model import Scope, SemanticModel

_MAX_DEPTH = 6
_FRAME_FUNCTIONS = frozenset(
    {
        "pandas.DataFrame",
        "pandas.concat",
        "pandas.merge",
        "pandas.read_csv",
        "pandas.read_table",
        "pandas.read_excel",
        "pandas.read_json",
        "pandas.read_parquet",
        "pandas.read_pickle",
        "pandas.read_feather",
        "pandas.read_sql",
        "pandas.read_hdf",
    }
)
# methods of a data frame that return a data frame
_FRAME_METHODS = frozenset(
    {
        "copy",
        "dropna",
        "fillna",
        "drop",
        "drop_duplicates",
        "reset_index",
        "set_index",
        "sample",
        "sort_values",
        "sort_index",
        "merge",
        "join",
        "query",
        "rename",
        "astype",
        "head",
        "tail",
        "replace",
    }
)
_ARRAY_METHODS = frozenset({"to_numpy"})


def column_shape(model: SemanticModel, expr: cst.BaseExpression, scope: Scope) -> Optional[TensorShape]:
    """``(L,)`` for ``df["col"]``, ``df["col"].values`` and ``df["col"].to_numpy()`` of a data frame ``df``."""
    if isinstance(expr, cst.Attribute) and expr.attr.value == "values":
        expr = expr.value
    elif isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and not expr.args:
        if expr.func.attr.value not in _ARRAY_METHODS:
            return None
        expr = expr.func.value
    if not isinstance(expr, cst.Subscript) or len(expr.slice) != 1:
        return None
    key = expr.slice[0].slice
    if not (isinstance(key, cst.Index) and isinstance(key.value, cst.SimpleString)):
        return None
    return known((None,)) if is_data_frame(model, expr.value, scope) else None


def is_data_frame(model: SemanticModel, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> bool:
    """Whether an expression holds a pandas data frame, by where it comes from."""
    if depth > _MAX_DEPTH:
        return False
    if isinstance(expr, cst.Call):
        if model.callee_qualname(expr, scope) in _FRAME_FUNCTIONS:
            return True
        func = expr.func
        return (
            isinstance(func, cst.Attribute)
            and func.attr.value in _FRAME_METHODS
            and is_data_frame(model, func.value, scope, depth + 1)
        )
    if not isinstance(expr, cst.Name):
        return False
    binding = model.lookup(expr.value, scope, model.order.get(expr))
    if binding is None:
        return False
    if binding.kind in ("assign", "annassign") and binding.index is None and binding.value is not None:
        return is_data_frame(model, binding.value, binding.scope, depth + 1)
    if binding.kind == "param" and binding.scope.function is not None:
        passed = model.passed_arguments(binding.scope.function, binding.name)
        return bool(passed) and all(is_data_frame(owner, arg, arg_scope, depth + 1) for arg, arg_scope, owner in passed)
    return False
