"""Tensor shapes as far as the source pins them down, and the algebra on them: broadcasting, reductions,
indexing, and the question a pointwise loss asks (does one side get expanded to the other's shape?).

A :class:`TensorShape` lists the trailing axes it knows; ``exact=False`` means more leading axes may
precede them (a ``Linear(h, k)`` output is ``(..., k)`` whatever its input was). Each axis is a literal
``int``, a named :class:`Size`, or ``None`` (unknown). Broadcasting assumes the program runs: an axis
known not to be 1 survives broadcasting with anything, since the other side must be 1 or equal to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple, Union


@dataclass(frozen=True)
class Size:
    """A size the source names but does not fold to a number: a batch axis, ``action_dim``."""

    key: object  # identity: two sizes with the same key are the same number
    label: str  # how a message names it
    nonunit: bool  # known not to be 1 (a batch axis; a size variable no visible path sets to 1)
    batch: bool = False  # the batch axis of a loader's batches


Dim = Union[int, Size, None]


@dataclass(frozen=True)
class TensorShape:
    dims: Tuple[Dim, ...]  # the trailing axes, outermost first
    exact: bool = True  # False: unknown leading axes may precede ``dims``

    @property
    def rank(self) -> Optional[int]:
        return len(self.dims) if self.exact else None

    def describe(self) -> str:
        parts = ([] if self.exact else ["..."]) + [_label(d) for d in self.dims]
        return "(" + ", ".join(parts) + ("," if len(parts) == 1 and self.exact else "") + ")"


ANY = TensorShape((), exact=False)  # a tensor whose shape nothing pins down


def _label(dim: Dim) -> str:
    if isinstance(dim, Size):
        return dim.label
    return "?" if dim is None else str(dim)


def nonunit(dim: Dim) -> bool:
    """Known not to be 1."""
    if isinstance(dim, Size):
        return dim.nonunit
    return dim is not None and dim != 1


def same(a: Dim, b: Dim) -> bool:
    """Known to be the same size."""
    return a is not None and b is not None and a == b


def informative(shape: Optional[TensorShape]) -> Optional[TensorShape]:
    """None for a shape that says nothing (unknown rank, no known axis)."""
    if shape is None or (not shape.exact and all(d is None for d in shape.dims)):
        return None
    return shape


def _aligned(a: TensorShape, b: TensorShape) -> List[Tuple[Dim, Dim, bool, bool]]:
    """Axis pairs from the last one back: (a's axis, b's axis, a has it, b has it); a missing axis of an
    exact shape reads as 1, of an inexact one as unknown."""
    pairs = []
    for offset in range(1, max(len(a.dims), len(b.dims)) + 1):
        pairs.append(
            (_axis_from_end(a, offset), _axis_from_end(b, offset), offset <= len(a.dims), offset <= len(b.dims))
        )
    return pairs


def _axis_from_end(shape: TensorShape, offset: int) -> Dim:
    if offset <= len(shape.dims):
        return shape.dims[-offset]
    return 1 if shape.exact else None


def broadcast(a: Optional[TensorShape], b: Optional[TensorShape]) -> Optional[TensorShape]:
    """The shape of an elementwise result; an unknown operand may be any shape that broadcasts."""
    if a is None and b is None:
        return None
    a, b = a or ANY, b or ANY
    dims: List[Dim] = []
    for x, y, _, _ in _aligned(a, b):
        dims.append(_broadcast_dim(x, y))
    return informative(TensorShape(tuple(reversed(dims)), a.exact and b.exact))


def _broadcast_dim(x: Dim, y: Dim) -> Dim:
    if x == 1:
        return y
    if y == 1 or same(x, y):
        return x
    if nonunit(x) and nonunit(y):
        return x if isinstance(x, int) else y  # equal, or the program fails: the literal says more
    if nonunit(x):
        return x
    if nonunit(y):
        return y
    return None


def axis_index(shape: TensorShape, dim: Optional[float]) -> Optional[int]:
    """Index into ``shape.dims`` of the axis ``dim`` names (negative dims count from the end; a
    non-negative dim of an inexact shape cannot be placed)."""
    if dim is None or dim != int(dim):
        return None
    d = int(dim)
    if d < 0:
        index = len(shape.dims) + d
        return index if index >= 0 else None
    return d if shape.exact and d < len(shape.dims) else None


def without_axis(shape: TensorShape, index: int) -> TensorShape:
    return TensorShape(shape.dims[:index] + shape.dims[index + 1 :], shape.exact)


def with_axis(shape: TensorShape, dim: Optional[float], size: Dim = 1) -> Optional[TensorShape]:
    """``unsqueeze(dim)``: the new axis is ``dim`` of the result."""
    if dim is None or dim != int(dim):
        return None
    d = int(dim)
    if d < 0:
        index = len(shape.dims) + d + 1
        if index < 0:
            return None
    elif shape.exact and d <= len(shape.dims):
        index = d
    else:
        return None
    return TensorShape(shape.dims[:index] + (size,) + shape.dims[index:], shape.exact)


def squeezed(shape: TensorShape, dim: Optional[float] = None, all_axes: bool = False) -> Optional[TensorShape]:
    """``squeeze()`` (every size-1 axis; batch axes count as more than 1) or ``squeeze(dim)``."""
    if all_axes:
        if not shape.exact or any(d is None or (isinstance(d, Size) and not d.nonunit) for d in shape.dims):
            return None
        return TensorShape(tuple(d for d in shape.dims if d != 1), True)
    index = axis_index(shape, dim)
    if index is None:
        return None
    axis = shape.dims[index]
    if axis == 1:
        return without_axis(shape, index)
    return shape if nonunit(axis) else None


def with_last(shape: Optional[TensorShape], size: Dim) -> Optional[TensorShape]:
    """``shape`` with its last axis replaced (a ``Linear`` layer's output: ``(..., out_features)``)."""
    if shape is None or not shape.dims:
        return None if shape is not None and shape.exact else TensorShape((size,), exact=False)
    return TensorShape(shape.dims[:-1] + (size,), shape.exact)


@dataclass(frozen=True)
class Expansion:
    """How a pointwise loss broadcasts: which side gets copied along an axis where the other is longer."""

    prediction_expanded: bool
    target_expanded: bool


def expansion(prediction: TensorShape, target: TensorShape, named_sizes_on_target: bool = True) -> Optional[Expansion]:
    """Whether broadcasting the two shapes copies one of them along some axis: an axis of size 1 (or a
    missing axis of an exact shape) facing an axis known not to be 1.

    Named sizes (``action_dim``) count as "not 1" only against a literal 1, and only on the target side
    when ``named_sizes_on_target`` (a prediction built ``Linear(h, 1)`` compared with ``k`` values per
    sample); a named size of the prediction (``Linear(h, out_dim)`` against ``y.view(-1, 1)``) is silent,
    since such a size is 1 as often as not."""
    prediction, target = _vector_as_batch(prediction), _vector_as_batch(target)
    prediction_expanded = target_expanded = False
    for p, t, has_p, has_t in _aligned(prediction, target):
        if _is_unit(p, has_p, prediction) and _certainly_longer(t, named=named_sizes_on_target and has_p):
            prediction_expanded = True
        if _is_unit(t, has_t, target) and _certainly_longer(p, named=False):
            target_expanded = True
    if prediction_expanded or target_expanded:
        return Expansion(prediction_expanded, target_expanded)
    return None


def _vector_as_batch(shape: TensorShape) -> TensorShape:
    """The one axis of a 1-D tensor fed to a pointwise loss is its batch axis, even where its length is unread."""
    if shape.exact and shape.dims == (None,):
        return TensorShape((Size(("vector", id(shape)), "N", True, batch=True),), True)
    return shape


def _is_unit(dim: Dim, present: bool, shape: TensorShape) -> bool:
    return dim == 1 if present else shape.exact


def _certainly_longer(dim: Dim, named: bool) -> bool:
    if isinstance(dim, Size):
        return dim.nonunit and (dim.batch or named)
    return dim is not None and dim != 1


def batch_size(key: object) -> Size:
    """The batch axis of the batches a loader yields (assumed longer than 1: a batch of one broadcasts nothing)."""
    return Size(("batch", key), "N", True, batch=True)


def known(dims: Sequence[Dim]) -> TensorShape:
    return TensorShape(tuple(dims), True)
