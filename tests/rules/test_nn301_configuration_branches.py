"""NN301 through a trainer's helpers: a sigmoid that one configuration branch applies (``if self.method ==
"binary"``), a loss helper that returns a user loss, and a user loss that packs its input with its
complement before ``binary_cross_entropy_with_logits``; silent where the branches cannot meet."""

from __future__ import annotations

from pathlib import Path

from nnlint.config import Config
from nnlint.engine import Linter
from tests.conftest import lint_text

HEADER = """import torch
import torch.nn as nn
import torch.nn.functional as F


class PackedFocalLoss(nn.Module):
    def forward(self, input, target):
        if input.size(1) == 1:
            input = torch.cat([1 - input, input], dim=1)
        one_hot = torch.eye(input.size(1))[target.long().view(-1)]
        return F.binary_cross_entropy_with_logits(input, one_hot)
"""

TRAINER = """

class Trainer(nn.Module):
    def __init__(self, method="binary", with_focal_loss=False):
        super().__init__()
        self.method = method
        self.with_focal_loss = with_focal_loss
        self.use_logits = False
        self.net = nn.Linear(8, 1)
        self.optimizer = torch.optim.SGD(self.net.parameters(), lr=0.1)

    def activation(self, out):
{activation}

    def compute_loss(self, y_pred, y):
{loss}

    def step(self, x, y):
        self.optimizer.zero_grad()
        y_pred = self.activation(self.net(x))
        loss = self.compute_loss(y_pred, y)
        loss.backward()
        self.optimizer.step()
"""

BINARY_SIGMOID = """        if self.method == "binary":
            return torch.sigmoid(out)
        return out"""

FOCAL_WHEN_ENABLED = """        if self.with_focal_loss:
            return PackedFocalLoss()(y_pred, y)
        return F.binary_cross_entropy(y_pred, y)"""


def trainer(activation: str, loss: str) -> str:
    return HEADER + TRAINER.format(activation=activation, loss=loss)


def test_a_sigmoid_of_the_binary_branch_reaching_the_focal_loss_is_reported_at_the_focal_call() -> None:
    findings = lint_text(trainer(BINARY_SIGMOID, FOCAL_WHEN_ENABLED), select=["NN301"])
    assert [(f.line, f.column) for f in findings] == [(30, 20)]
    assert findings[0].message == (
        "PackedFocalLoss (through binary_cross_entropy_with_logits) receives its input after a sigmoid "
        '(line 25, when self.method == "binary"); it applies the sigmoid itself, so pass the raw logits'
    )
    assert findings[0].fix is None  # the other configurations may need that sigmoid


def test_an_early_return_and_a_not_equal_test_give_the_branch_of_the_sigmoid() -> None:
    activation = """        if self.method != "binary":
            return out
        return torch.sigmoid(out)"""
    findings = lint_text(trainer(activation, FOCAL_WHEN_ENABLED), select=["NN301"])
    assert [(f.line, f.column) for f in findings] == [(30, 20)]
    assert '(line 26, when self.method == "binary")' in findings[0].message
    focal_for_multiclass = FOCAL_WHEN_ENABLED.replace("self.with_focal_loss", 'self.method == "multiclass"')
    assert lint_text(trainer(activation, focal_for_multiclass), select=["NN301"]) == []


def test_silent_when_the_loss_runs_under_the_opposite_test() -> None:
    activation = """        if self.use_logits:
            return out
        return torch.sigmoid(out)"""
    loss = """        if self.use_logits:
            return PackedFocalLoss()(y_pred, y)
        return F.binary_cross_entropy(y_pred, y)"""
    assert lint_text(trainer(activation, loss), select=["NN301"]) == []
    negated = loss.replace("if self.use_logits", "if not self.use_logits")
    assert len(lint_text(trainer(activation, negated), select=["NN301"])) == 1


def test_silent_when_an_argument_chooses_the_branch() -> None:
    source = trainer(BINARY_SIGMOID, FOCAL_WHEN_ENABLED).replace(
        'def activation(self, out):\n        if self.method == "binary":',
        "def activation(self, out, probabilities=False):\n        if probabilities:",
    )
    assert "if probabilities:" in source
    assert lint_text(source, select=["NN301"]) == []


def test_a_packing_focal_loss_of_another_file_is_a_with_logits_loss(tmp_path: Path) -> None:
    (tmp_path / "losses.py").write_text(HEADER)
    (tmp_path / "train.py").write_text(
        "import torch\nfrom losses import PackedFocalLoss\n\nnet = torch.nn.Linear(8, 1)\n"
        "opt = torch.optim.SGD(net.parameters(), lr=0.1)\nfor x, y in loader:\n"
        "    loss = PackedFocalLoss()(torch.sigmoid(net(x)), y)\n    loss.backward()\n    opt.step()\n"
    )
    findings = Linter(Config(select=["NN301", "NN002"])).lint_paths([str(tmp_path)])
    assert [(Path(f.path).name, f.line, f.column) for f in findings] == [("train.py", 7, 12)]
    assert "PackedFocalLoss (through binary_cross_entropy_with_logits) receives its input after a sigmoid (line 7)" in (
        findings[0].message
    )


def test_nn303_sees_the_raw_branch_only_where_the_bce_can_run() -> None:
    binary_bce = """        if self.method == "binary":
            return F.binary_cross_entropy(y_pred, y)
        return F.mse_loss(y_pred, y)"""
    assert lint_text(trainer(BINARY_SIGMOID, binary_bce), select=["NN303"]) == []
    regression_bce = binary_bce.replace('self.method == "binary"', 'self.method == "regression"')
    findings = lint_text(trainer(BINARY_SIGMOID, regression_bce), select=["NN303"])
    assert [(f.line, f.column) for f in findings] == [(30, 20)]


def test_one_test_however_it_is_spelled() -> None:
    activation = """        if self.method != 'binary':
            return out
        return torch.sigmoid(out)"""
    findings = lint_text(trainer(activation, FOCAL_WHEN_ENABLED), select=["NN301"])
    assert "(line 26, when self.method == 'binary')" in findings[0].message
    for test in ('self.method != "binary"', "not self.method == 'binary'", 'self.method == "multiclass"'):
        loss = FOCAL_WHEN_ENABLED.replace("self.with_focal_loss", test)
        assert lint_text(trainer(activation, loss), select=["NN301"]) == [], test
