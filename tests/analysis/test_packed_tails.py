"""Activations packed by torch.cat / torch.stack and sliced out again in the loss (holdout H12's construct).

A slice of a last-axis pack holds an activation when every part it covers ends in it, the widths of
the parts before it known from literal slices; anything less certain stays silent.
"""

from __future__ import annotations

import pytest

from tests.conftest import lint_text

HEAD = """
    import torch
    import torch.nn as nn


    class Head(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(16, 8, 1)

        def forward(self, x):
            raw = self.conv(x).permute(0, 2, 3, 1)
            box = raw[..., :4]
            conf = torch.sigmoid(raw[..., 4:5])
            cls = torch.sigmoid(raw[..., 5:])
            return {packed}


    model = Head()
    bce = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    for x, target in loader:
        pred = model(x)
        loss = bce({selection}, target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
"""
CAT = "torch.cat([box, conf, cls], dim=-1)"


def _nn301(packed: str, selection: str):
    return lint_text(HEAD.format(packed=packed, selection=selection), ["NN301"])


@pytest.mark.parametrize(
    "selection, line",
    [("pred[..., 4:]", 14), ("pred[..., 4]", 14), ("pred[..., 5:6]", 15), ("pred[..., 4:9]", 14)],
)
def test_a_slice_of_activated_parts_is_nn301(selection: str, line: int) -> None:
    findings = _nn301(CAT, selection)
    assert [(f.line, f.column) for f in findings] == [(24, 12)]
    assert f"after a sigmoid (line {line})" in findings[0].message
    assert findings[0].fix is None  # the pack's other uses (decoding) need the activation


@pytest.mark.parametrize(
    "packed, selection",
    [
        (CAT, "pred[..., 3:]"),  # a box coordinate is covered
        (CAT, "pred[..., :4]"),
        (CAT, "pred[..., k:]"),  # a bound that is not a literal
        (CAT, "pred[:, 4:]"),  # another axis
        (CAT, "pred.view(-1, 8)[..., 4:]"),  # a reshape on the way
        ("torch.cat([raw[..., :n], conf, cls], dim=-1)", "pred[..., 4:]"),  # a part of unknown width before
        ("torch.cat([box, conf, cls], dim=1)", "pred[..., 4:]"),  # packed along another axis
        ("torch.cat([box, conf], dim=-1)", "pred[..., 4:6]"),  # beyond the known parts
        ("torch.stack([conf, cls, box], dim=-1)", "pred[..., 2]"),
        ("torch.stack([conf, cls, box], dim=-1)", "pred[..., 0:2]"),  # a range of a stacked axis
    ],
)
def test_unsure_selections_are_silent(packed: str, selection: str) -> None:
    assert _nn301(packed, selection) == []


def test_a_stacked_part_and_a_pack_of_activations_alone() -> None:
    assert [f.line for f in _nn301("torch.stack([conf, cls, box], dim=-1)", "pred[..., 1]")] == [24]
    assert [f.line for f in _nn301("torch.cat([conf, cls], dim=-1)", "pred")] == [24]
