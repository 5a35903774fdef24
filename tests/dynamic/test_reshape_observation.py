"""What the recorder calls an axis-reordering reshape (the evidence NN102's probe confirms with)."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")

from nnlint.dynamic.recorder import permutes_axes  # noqa: E402


@pytest.mark.parametrize(
    "before,after",
    [
        ([32, 32, 3], [3, 32, 32]),  # HWC -> CHW
        ([3, 40, 60], [40, 60, 3]),  # CHW -> HWC
        ([2, 4, 16, 16, 3], [8, 3, 16, 16]),  # leading axes merged, channels moved
    ],
)
def test_reordering_reshapes(before, after) -> None:
    assert permutes_axes(before, after) is True


@pytest.mark.parametrize(
    "before,after",
    [
        ([8, 3, 32, 32], [8, 3 * 32 * 32]),  # flattening
        ([2, 4, 16, 16, 3], [8, 16, 16, 3]),  # merging leading axes only
        ([8, 32, 32, 3], [8 * 32, 32, 3]),
        ([8, 28, 28, 1], [8, 1, 28, 28]),  # moving a size-1 axis reorders nothing
    ],
)
def test_order_keeping_reshapes(before, after) -> None:
    assert permutes_axes(before, after) is False
