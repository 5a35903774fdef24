"""Tails of the items of a model's output: ``out["exist"]`` of a forward returning a dict, ``res[1]`` /
``res[-1]`` of one returning a tuple, through names and a loss function's parameter; every rule that asks
for a tail gains (NN301, NN201 here)."""

from __future__ import annotations

from tests.conftest import lint_text

HEADER = """import torch
import torch.nn as nn
import torch.nn.functional as F


class Heads(nn.Module):
    def __init__(self):
        super().__init__()
        self.seg = nn.Linear(8, 4)
        self.cls = nn.Linear(8, 1)

    def forward(self, x):
{body}


model = Heads()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for x, y in loader:
    optimizer.zero_grad()
{loop}
    loss.backward()
    optimizer.step()
"""

DICT_LITERAL = '        return {"seg": self.seg(x), "exist": torch.sigmoid(self.cls(x))}'


def nn301(body: str, loop: str) -> list:
    return [(f.line, f.column, f.message) for f in lint_text(HEADER.format(body=body, loop=loop), select=["NN301"])]


def test_the_key_of_a_returned_dict_carries_its_sigmoid() -> None:
    loop = '    out = model(x)\n    loss = nn.BCEWithLogitsLoss()(out["exist"], y)'
    assert nn301(DICT_LITERAL, loop) == [
        (
            21,
            12,
            "BCEWithLogitsLoss receives the model's output after a sigmoid (line 13); it applies the sigmoid "
            "itself, so pass the raw logits",
        )
    ]
    assert nn301(DICT_LITERAL, loop.replace('out["exist"]', 'out["seg"]')) == []


def test_a_dict_filled_item_by_item_and_dict_keywords() -> None:
    filled = '        out = {"seg": self.seg(x)}\n        out["exist"] = torch.sigmoid(self.cls(x))\n        return out'
    loop = '    loss = F.binary_cross_entropy_with_logits(model(x)["exist"], y)'
    assert [(line, column) for line, column, _ in nn301(filled, loop)] == [(22, 12)]
    assert "after a sigmoid (line 14)" in nn301(filled, loop)[0][2]
    overwritten = filled.replace("        return out", '        out["exist"] = self.cls(x)\n        return out')
    assert nn301(overwritten, loop) == []
    keywords = "        return dict(seg=self.seg(x), exist=torch.sigmoid(self.cls(x)))"
    assert [(line, column) for line, column, _ in nn301(keywords, loop)] == [(20, 12)]
    unpacked = '        base = {"exist": self.cls(x)}\n        return {**base, "seg": torch.sigmoid(self.seg(x))}'
    assert nn301(unpacked, loop.replace('"exist"', '"seg"')) == []  # `**base` may hold the key too


def test_tuple_positions_counted_from_either_end() -> None:
    body = "        return self.seg(x), torch.sigmoid(self.cls(x))"
    loop = "    res = model(x)\n    loss = nn.BCEWithLogitsLoss()(res[1], y) + nn.BCEWithLogitsLoss()(res[0], y)"
    assert [(line, column) for line, column, _ in nn301(body, loop)] == [(21, 12)]
    assert [(line, column) for line, column, _ in nn301(body, loop.replace("res[1]", "res[-1]"))] == [(21, 12)]


def test_a_loss_function_given_the_whole_output() -> None:
    loop = "    loss = exist_loss(model(x), y)"
    source = HEADER.format(body=DICT_LITERAL, loop=loop) + (
        '\n\ndef exist_loss(output, target):\n    return F.binary_cross_entropy_with_logits(output["exist"], target)\n'
    )
    findings = lint_text(source, select=["NN301"])
    assert [(f.line, f.column) for f in findings] == [(26, 12)]
    assert "after a sigmoid (line 13)" in findings[0].message


def test_nn201_gains_too() -> None:
    body = '        return {"probs": torch.softmax(self.seg(x), dim=1)}'
    source = HEADER.format(body=body, loop='    loss = nn.CrossEntropyLoss()(model(x)["probs"], y)')
    findings = lint_text(source, select=["NN201"])
    assert [(f.line, f.column) for f in findings] == [(20, 12)]
    assert "CrossEntropyLoss receives the model's output after softmax (line 13)" in findings[0].message
