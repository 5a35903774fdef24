"""Shapes of indexed tensors: basic indexing (``x[:, 0]``, ``x[..., None]``, ``x[1:3]``) and the elements of
what a call returns as a tuple (``x.max(1)[0]``, ``model(x)[1]``).

Part of the shape analysis of :mod:`~nnlint.analysis.batch_shapes`.
"""

from __future__ import annotations

from typing import List, Optional, Sequence

import libcst as cst

from nnlint.analysis import batch_shapes, module_shapes
from nnlint.analysis.dims import Dim, TensorShape
from nnlint.analysis.model import Scope, SemanticModel
from nnlint.analysis.shapes import is_integer_index


def subscript_shape(model: SemanticModel, expr: cst.Subscript, scope: Scope, depth: int) -> Optional[TensorShape]:
    """Basic indexing: ``:`` keeps an axis, an integer drops it, ``None`` adds one, ``...`` spans the rest."""
    value = expr.value
    if len(expr.slice) == 1 and isinstance(expr.slice[0].slice, cst.Index):
        position = model.number(expr.slice[0].slice.value, scope)
        if (
            position is not None
            and isinstance(value, cst.Call)
            and batch_shapes.is_tuple_reduction(model, value, scope)
        ):
            return batch_shapes.reduced_pair(model, value, scope, depth) if position in (0, 1) else None
        if position is not None and isinstance(value, cst.Call) and module_shapes.returns_tuple(model, value, scope):
            return (
                batch_shapes.element_shape(model, value, int(position), scope, depth + 1)
                if position >= 0 and position == int(position)
                else None
            )
    base = batch_shapes.tensor_shape(model, value, scope, depth + 1)
    if base is None:
        return None
    elements = [element.slice for element in expr.slice]
    ellipsis = [i for i, e in enumerate(elements) if isinstance(e, cst.Index) and isinstance(e.value, cst.Ellipsis)]
    if len(ellipsis) > 1:
        return None
    if ellipsis:
        head, tail = elements[: ellipsis[0]], elements[ellipsis[0] + 1 :]
    else:
        head, tail = elements, []
    consumed_head = _consumed(head)
    consumed_tail = _consumed(tail)
    if consumed_head is None or consumed_tail is None or consumed_head + consumed_tail > len(base.dims):
        return None
    if consumed_head and not base.exact:
        return None  # leading axes of an inexact shape cannot be placed
    middle = base.dims[consumed_head : len(base.dims) - consumed_tail]
    if not ellipsis and not base.exact:
        return None
    front = _index_axes(model, head, base.dims[:consumed_head], scope)
    back = _index_axes(model, tail, base.dims[len(base.dims) - consumed_tail :], scope)
    if front is None or back is None:
        return None
    return TensorShape(tuple(front) + tuple(middle) + tuple(back), base.exact)


def _consumed(elements: Sequence[cst.BaseSlice]) -> Optional[int]:
    count = 0
    for element in elements:
        if isinstance(element, cst.Index) and isinstance(element.value, cst.Name) and element.value.value == "None":
            continue
        if isinstance(element, cst.Index) and element.star is not None:
            return None
        count += 1
    return count


def _index_axes(
    model: SemanticModel, elements: Sequence[cst.BaseSlice], dims: Sequence[Dim], scope: Scope
) -> Optional[List[Dim]]:
    out: List[Dim] = []
    axes = iter(dims)
    for element in elements:
        if isinstance(element, cst.Index) and isinstance(element.value, cst.Name) and element.value.value == "None":
            out.append(1)
            continue
        axis = next(axes)
        if isinstance(element, cst.Slice):
            out.append(_sliced(model, element, axis, scope))
            continue
        if not isinstance(element, cst.Index) or not is_integer_index(model, element.value, scope):
            return None  # a tensor or mask index: advanced indexing
    return out


def _sliced(model: SemanticModel, element: cst.Slice, axis: Dim, scope: Scope) -> Dim:
    if element.lower is None and element.upper is None and element.step is None:
        return axis
    lower = 0 if element.lower is None else model.number(element.lower, scope)
    upper = model.number(element.upper, scope) if element.upper is not None else None
    if element.step is None and lower is not None and upper is not None and 0 <= lower < upper and upper - lower == 1:
        return 1 if not isinstance(axis, int) or axis >= upper else None
    if (
        element.step is None
        and lower is not None
        and upper is not None
        and 0 <= lower < upper
        and isinstance(axis, int)
    ):
        return max(0, min(int(upper), axis) - int(lower))
    return None
