"""User losses that compute one library loss per part of their input (``output["seg"]``,
``output["exist"]``; ``segin, edgein = inputs``): each part is checked against what the caller passes
for it; an input that several losses share, one of which runs, says nothing."""

from __future__ import annotations

from pathlib import Path

from nnlint.config import Config
from nnlint.engine import Linter

MODELS = """import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.seg = nn.Linear(8, 4)
        self.edge = nn.Linear(8, 1)

    def forward(self, x):
        return self.seg(x), torch.sigmoid(self.edge(x))
"""

TRAIN = """import torch
from losses import JointLoss
from models import Net

net = Net()
criterion = JointLoss()
opt = torch.optim.SGD(net.parameters(), lr=0.1)
for x, y, edges in loader:
    seg_out, edge_out = net(x)
    loss = criterion({args}, (y, edges))
    loss.backward()
    opt.step()
"""


def findings(tmp_path: Path, losses: str, args: str = "(seg_out, edge_out)") -> list:
    (tmp_path / "models.py").write_text(MODELS)
    (tmp_path / "losses.py").write_text(losses)
    (tmp_path / "train.py").write_text(TRAIN.format(args=args))
    found = Linter(Config(select=["NN201", "NN301", "NN002"])).lint_paths([str(tmp_path)])
    return [(Path(f.path).name, f.line, f.column, f.code, f.message) for f in found]


JOINT = """import torch.nn as nn
import torch.nn.functional as F


class JointLoss(nn.Module):
    def bce2d(self, input, target):
        flat = input.transpose(1, 0).contiguous().view(1, -1)
        return F.binary_cross_entropy_with_logits(flat, target.view(1, -1))

    def forward(self, inputs, targets):
        segin, edgein = inputs
        segmask, edgemask = targets
        return F.cross_entropy(segin, segmask) + 20 * self.bce2d(edgein, edgemask)
"""


def test_the_unpacked_second_input_of_a_joint_loss(tmp_path: Path) -> None:
    assert findings(tmp_path, JOINT) == [
        (
            "train.py",
            10,
            12,
            "NN301",
            "JointLoss (through binary_cross_entropy_with_logits) receives the model's output after a sigmoid "
            "(models.py:12); it applies the sigmoid itself, so pass the raw logits",
        )
    ]
    assert findings(tmp_path, JOINT, "(edge_out, seg_out)") == []  # the sigmoid goes to the cross-entropy


def test_the_model_output_passed_whole_to_a_loss_reading_its_items(tmp_path: Path) -> None:
    keyed = JOINT.replace("segin, edgein = inputs", "segin, edgein = inputs[0], inputs[1]")
    assert findings(tmp_path, keyed) == []  # a tuple assigned element-wise is not followed
    whole = (
        JOINT.replace("        segin, edgein = inputs\n", "")
        .replace("segin", "inputs[0]")
        .replace("edgein", "inputs[1]")
    )
    assert [row[:4] for row in findings(tmp_path, whole, "net(x)")] == [("train.py", 10, 12, "NN301")]


def test_one_input_shared_by_two_losses_says_nothing(tmp_path: Path) -> None:
    either = JOINT.replace(
        "return F.cross_entropy(segin, segmask) + 20 * self.bce2d(edgein, edgemask)",
        "if self.logits:\n            return self.bce2d(edgein, edgemask)\n"
        "        return F.binary_cross_entropy(edgein, edgemask)",
    )
    assert findings(tmp_path, either) == []
