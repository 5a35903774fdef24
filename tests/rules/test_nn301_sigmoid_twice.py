"""NN301 where the sigmoid is applied twice on the way to BCELoss: a loss helper that applies
``torch.sigmoid`` to its input before ``BCELoss`` (it expects logits), fed a model output after
``nn.Sigmoid``; or ``BCELoss`` given ``torch.sigmoid(out)`` / ``out.sigmoid()`` of such an output."""

from __future__ import annotations

from pathlib import Path

from nnlint.config import Config
from nnlint.engine import Linter
from tests.conftest import lint_text

MODEL = """import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        return self.sigmoid(self.fc(x))
"""

LOOP = """

net = Net()
opt = torch.optim.SGD(net.parameters(), lr=0.1)
for x, y in loader:
    out = net(x)
{loss}
    loss.backward()
    opt.step()
"""


def nn301(loss: str, model: str = MODEL) -> list:
    return [(f.line, f.column, f.message) for f in lint_text(model + LOOP.format(loss=loss), select=["NN301"])]


def test_bce_loss_given_the_sigmoid_of_a_sigmoid_output() -> None:
    assert nn301("    loss = nn.BCELoss()(torch.sigmoid(out), y)") == [
        (
            19,
            12,
            "BCELoss receives the sigmoid of the model's output already after a sigmoid (line 9): the sigmoid "
            "is applied twice, so drop one",
        )
    ]
    assert [line for line, _, _ in nn301("    probs = out.sigmoid()\n    loss = nn.BCELoss()(probs, y)")] == [20]


def test_silent_on_one_sigmoid_and_on_a_sigmoid_of_logits() -> None:
    assert nn301("    loss = nn.BCELoss()(out, y)") == []
    logits_model = MODEL.replace("return self.sigmoid(self.fc(x))", "return self.fc(x)")
    assert nn301("    loss = nn.BCELoss()(torch.sigmoid(out), y)", logits_model) == []


def test_a_helper_of_this_file_that_applies_the_sigmoid_is_reported_inside() -> None:
    helper = MODEL + "\n\ndef cd_loss(input, target):\n    return nn.BCELoss()(torch.sigmoid(input), target)\n"
    findings = nn301("    loss = cd_loss(out, y)", helper)
    assert [(line, column) for line, column, _ in findings] == [(16, 12)]


def test_a_helper_of_another_file_that_applies_the_sigmoid_is_reported_at_the_call(tmp_path: Path) -> None:
    (tmp_path / "models.py").write_text(MODEL)
    (tmp_path / "losses.py").write_text(
        "import torch\nimport torch.nn as nn\n\n\ndef cd_loss(input, target):\n"
        "    bce = nn.BCELoss()\n    return bce(torch.sigmoid(input), target)\n"
    )
    (tmp_path / "train.py").write_text(
        "import torch\nfrom losses import cd_loss\nfrom models import Net\n"
        + LOOP.format(loss="    loss = cd_loss(out, y)")
    )
    findings = Linter(Config(select=["NN301", "NN002"])).lint_paths([str(tmp_path)])
    assert [(Path(f.path).name, f.line, f.column) for f in findings] == [("train.py", 10, 12)]
    assert findings[0].message == (
        "cd_loss (through BCELoss) receives the model's output after a sigmoid (models.py:9); it applies the "
        "sigmoid itself, so pass the raw logits"
    )
    assert findings[0].fix is None
    (tmp_path / "losses.py").write_text(
        "import torch.nn as nn\n\n\ndef cd_loss(input, target):\n    return nn.BCELoss()(input, target)\n"
    )
    assert Linter(Config(select=["NN301", "NN002"])).lint_paths([str(tmp_path)]) == []
