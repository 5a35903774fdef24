from __future__ import annotations

from collections import Counter
from typing import List, Optional, Sequence, Tuple

import libcst as cst

from nnlint.analysis.model import SemanticModel
from nnlint.analysis.shapes import INFER, OPAQUE, Atom, Shape, axis_origins, axis_span, reshape_target, shape_of
from nnlint.context import RuleContext
from nnlint.fixes import permute_instead_of_reshape
from nnlint.rule import Rule

_CHANNEL_SIZES = frozenset({3, 4})


class ReshapeReordersAxes(Rule):
    """## What it does
    Finds a `reshape`/`view` (method, `torch.reshape` or `np.reshape`) whose target shape lists the
    input's axes in a different order, typically a channels-last image or batch (`(H, W, 3)`,
    `(N, 32, 32, 3)`) reshaped to channels-first (`(3, H, W)`, `(-1, 3, 32, 32)`). The input's shape is
    read from where the array is made (`torch.rand(n, h, w, 3)`, `rng.random((n, 32, 32, 3))`,
    `h, w, c = img.shape`, `img.shape[0]`), through conversions, scalar arithmetic and indexing; sizes
    unpacked from a shape keep naming its axes after the array is reassigned (`x = x.float() / 255`),
    and an indexed child is read against its parent's axes (`im[0].view(im.shape[2], im.shape[3], 3)`
    moves the channel axis of a `(1, 3, H, W)` batch last). Flattening (`view(n, -1)`),
    `permute`/`transpose`/`movedim`, and reshapes that keep the axis order are left alone.

    ## Why is this bad?
    `reshape` and `view` never move data: they re-read the same elements in memory order with new
    axis lengths. Reshaping `(H, W, 3)` to `(3, H, W)` does not put the red values in the first channel;
    it cuts the interleaved `RGBRGB...` stream into three slabs, each a scrambled mix of rows and colours.
    Shapes match, so nothing fails: the network just trains on noise-like images and plateaus.

    ## Example
    ```python
    import numpy as np
    import torch

    images = np.random.rand(1000, 32, 32, 3).astype(np.float32)  # N, H, W, C
    x = torch.from_numpy(images).reshape(-1, 3, 32, 32)
    ```

    ```python
    import torch

    def to_image(batch: torch.Tensor):  # the network's (1, 3, H, W) output, for OpenCV
        return batch[0].view(batch.shape[2], batch.shape[3], 3).detach().cpu().numpy()
    ```

    ## Use instead
    ```python
    import numpy as np
    import torch

    images = np.random.rand(1000, 32, 32, 3).astype(np.float32)  # N, H, W, C
    x = torch.from_numpy(images).permute(0, 3, 1, 2).contiguous()  # N, C, H, W
    ```

    ```python
    import torch

    def to_image(batch: torch.Tensor):  # the network's (1, 3, H, W) output, for OpenCV
        return batch[0].permute(1, 2, 0).detach().cpu().numpy()
    ```

    ## How to fix
    Move axes with `permute` (tensors), `np.transpose` or `movedim`, then call `.contiguous()` if a later
    `view` needs it. Use `reshape`/`view` only to merge or split neighbouring axes (flattening,
    adding a batch axis).
    """

    code = "NN102"
    name = "reshape-reorders-axes"
    summary = "reshape/view used to move axes (e.g. HWC to CHW); it reinterprets memory instead of permuting"

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        for call in model.calls:
            found = reshape_target(model, call.node, call.scope)
            if found is None:
                continue
            source, target = found
            finding = _reorder_from_source_shape(model, source, target, call.scope) or _reorder_of_own_axes(
                model, source, target, call.scope
            )
            if finding is None:
                continue
            source_text, permutation = finding
            advice = f"permute{permutation} (np.transpose for arrays)" if permutation else "permute(...)/np.transpose"
            ctx.report(
                call.node,
                f"this reshape/view reorders the axes of {source_text}: it re-reads memory in the old order "
                f"instead of moving the channel axis; use {advice} to move axes",
                evidence={"permutation": list(permutation) if permutation else None},
                fix=permute_instead_of_reshape(ctx, call.node, source, permutation) if permutation else None,
            )


def _reorder_from_source_shape(
    model: SemanticModel, source: cst.BaseExpression, target: Shape, scope
) -> Optional[Tuple[str, Optional[Tuple[int, ...]]]]:
    """The source's whole shape is known and the target is a non-trivial permutation of it."""
    shape = shape_of(model, source, scope)
    if not shape:
        return None
    src = [a for a in shape if a != ("lit", 1)]
    dst = [a for a in target if a != ("lit", 1)]
    moved = _trailing_channel_moved(src, dst)
    if moved is not None:
        return moved
    if OPAQUE in shape or OPAQUE in target:
        return None
    if len(src) < 3 or len(src) != len(dst):
        return None
    if dst.count(INFER) == 1:
        known = Counter(a for a in dst if a != INFER)
        leftover = Counter(src) - known
        if sum(leftover.values()) != 1 or known - Counter(src):
            return None
        dst[dst.index(INFER)] = next(iter(leftover))
    elif INFER in dst:
        return None
    if Counter(src) != Counter(dst) or src == dst:
        return None
    displaced = [a for i, a in enumerate(dst) if src[i] != a]
    if not any(_channel_like(model, a) for a in displaced):
        return None
    return _describe(model, src), _permutation(src, dst)


def _trailing_channel_moved(
    src: Sequence[Atom], dst: Sequence[Atom]
) -> Optional[Tuple[str, Optional[Tuple[int, ...]]]]:
    """A channels-last source (last axis 3 or 4, e.g. a decoded image) whose channel size reappears earlier
    in a target of the same rank, with the other sizes unknown: ``cv2.imread(p)`` -> ``view(3, h, w)``."""
    if len(src) < 3 or len(dst) != len(src) or src[-1][0] != "lit" or src[-1][1] not in _CHANNEL_SIZES:
        return None
    if all(a[0] == "lit" for a in src):
        return None  # fully known sizes: the exact permutation test decides
    channel = src[-1]
    if src.count(channel) != 1 or dst.count(channel) != 1 or dst[-1] == channel:
        return None
    position = dst.index(channel)
    rest = list(range(len(src) - 1))
    permutation = tuple(rest[:position] + [len(src) - 1] + rest[position:])
    return f"a channels-last array (last axis {channel[1]})", permutation


def _reorder_of_own_axes(
    model: SemanticModel, source: cst.BaseExpression, target: Shape, scope
) -> Optional[Tuple[str, Optional[Tuple[int, ...]]]]:
    """The target names the source's own axes (``x.shape[i]``, ``h, w, c = x.shape``) out of order, puts a
    channel-sized literal before the source's first axis (``view(3, x.shape[0], x.shape[1])``), or moves the
    leading axis of an indexed child behind its others (``im[0].view(im.shape[2], im.shape[3], 3)``)."""
    offsets = dict(axis_origins(model, source, scope))  # root -> offset
    own: List[Tuple[int, int]] = []
    used = set()
    for position, atom in enumerate(target):
        # one axis, or several flattened into one target size (`x.view(b, x.shape[2] * x.shape[3], c)`)
        span = axis_span(atom)
        if span is not None and span[0] in offsets and all(a >= 0 for a in span[1]):
            offset = offsets[span[0]]
            if any(a < offset for a in span[1]):
                return None  # an axis the indexing dropped: the sizes are not the source's own
            own.extend((position, a - offset) for a in span[1])
            used.add(offset)
    if not own:
        return None
    offset = max(used)
    indices = [index for _, index in own]
    if len(indices) >= 2 and any(b <= a for a, b in zip(indices, indices[1:])):
        full = sorted(indices) == list(range(len(indices))) and len(indices) == len(target)
        return "its input", tuple(indices) if full else None
    position, index = own[0]
    prefix = target[:position]
    if index == 0 and prefix and all(a[0] == "lit" for a in prefix):
        if any(a[1] in _CHANNEL_SIZES for a in prefix):
            return "its channels-last input", None
    if offset and _leading_axis_moved_last(own, target):
        rank = len(target)
        return "its channels-first input", tuple(range(1, rank)) + (0,)
    return None


def _leading_axis_moved_last(own: Sequence[Tuple[int, int]], target: Shape) -> bool:
    """``(a1, a2, ..., C)``: the source's axes 1..k, in order, at the front of the target, followed only by a
    channel-sized literal, so the source's axis 0 (of size C when the view succeeds) was meant to move last."""
    positions = [position for position, _ in own]
    indices = [index for _, index in own]
    if positions != list(range(len(own))) or indices != list(range(1, len(own) + 1)):
        return False
    rest = target[len(own) :]
    return len(rest) == 1 and rest[0][0] == "lit" and rest[0][1] in _CHANNEL_SIZES


def _channel_like(model: SemanticModel, atom: Atom) -> bool:
    if atom[0] == "lit":
        return atom[1] in _CHANNEL_SIZES
    if atom[0] == "axis":
        return True
    return False


def _permutation(src: Sequence[Atom], dst: Sequence[Atom]) -> Optional[Tuple[int, ...]]:
    used: List[int] = []
    for atom in dst:
        for i, candidate in enumerate(src):
            if candidate == atom and i not in used:
                used.append(i)
                break
        else:
            return None
    return tuple(used)


def _describe(model: SemanticModel, shape: Sequence[Atom]) -> str:
    parts = []
    for atom in shape:
        if atom[0] == "lit":
            parts.append(str(atom[1]))
        else:
            parts.append("?")
    return "an array of shape (" + ", ".join(parts) + ")"
