"""NN206: .forward() on modules through parameters, attributes and wrappers; look-alikes stay silent."""

from __future__ import annotations

from tests.conftest import codes, lint_text

NET = """
import torch
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)
    def forward(self, x):
        return self.fc(x)
"""


def nn206(body: str):
    return codes(lint_text(NET + body, select=["NN206"]))


def test_model_passed_to_a_helper() -> None:
    body = """
def evaluate(model, x):
    with torch.no_grad():
        return model.forward(x)

evaluate(Net(), torch.randn(2, 4))
"""
    assert nn206(body) == ["NN206"]


def test_wrapped_model_and_layer() -> None:
    body = """
model = nn.DataParallel(Net())
out = model.forward(torch.randn(2, 4))
layer = nn.Linear(4, 4)
h = layer.forward(torch.randn(2, 4))
"""
    assert nn206(body) == ["NN206", "NN206"]


def test_self_forward_and_super_forward_are_silent() -> None:
    body = """
class Child(Net):
    def forward(self, x):
        return super().forward(x) * 2
    def predict(self, x):
        return self.forward(x).argmax(1)

class Runner:
    def forward(self, batch):
        return batch

runner = Runner()
runner.forward(1)
unknown.forward(2)
"""
    assert nn206(body) == []


def test_fix_calls_the_module() -> None:
    findings = lint_text(NET + "model = Net()\ny = model.forward(torch.randn(1, 4))\n", select=["NN206"])
    assert findings and findings[0].fix is not None
    assert findings[0].fix.edits[0].replacement == "model"
