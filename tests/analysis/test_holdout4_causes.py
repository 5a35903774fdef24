"""Causes of holdout-4 misses fixed in the semantic model: a step guarded only by the existence of its own
object (``if scheduler: scheduler.step()``) runs whenever that object exists, and a project helper that
names itself a metric (``dice_coeff``) or a library metric (``sklearn.metrics``) scores an evaluation."""

from __future__ import annotations

from pathlib import Path

from nnlint.config import Config
from nnlint.engine import Linter
from tests.conftest import lint_text

EPOCHS = """import torch
from torch.optim.lr_scheduler import MultiStepLR

model = torch.nn.Linear(3, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
scheduler = MultiStepLR(optimizer, milestones=[10])
for epoch in range(20):
    if scheduler:
        scheduler.step()
    for x, y in loader:
        optimizer.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
        optimizer.step()
"""


def located(source: str, code: str) -> list:
    return [(f.line, f.column) for f in lint_text(source, select=[code])]


def test_a_scheduler_step_guarded_by_its_own_existence_runs_before_the_epoch_steps() -> None:
    assert located(EPOCHS, "NN404") == [(9, 9)]
    assert located(EPOCHS.replace("if scheduler:", "if scheduler is not None:"), "NN404") == [(9, 9)]
    trainer = (
        "import torch\n\n\nclass Trainer:\n"
        "    def __init__(self, model, scheduler=None):\n"
        "        self.model = model\n"
        "        self.optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "        self.scheduler = scheduler\n\n"
        "    def fit(self, loader, epochs):\n"
        "        for epoch in range(epochs):\n"
        "            if self.scheduler is not None:\n"
        "                self.scheduler.step()\n"
        "            for x, y in loader:\n"
        "                self.optimizer.zero_grad()\n"
        "                torch.nn.functional.mse_loss(self.model(x), y).backward()\n"
        "                self.optimizer.step()\n"
    )
    assert located(trainer, "NN404") == [(13, 17)]


def test_other_guards_and_the_else_branch_stay_conditional() -> None:
    assert located(EPOCHS.replace("if scheduler:", "if epoch > 3:"), "NN404") == []
    assert located(EPOCHS.replace("if scheduler:", "if scheduler is not None and warm:"), "NN404") == []
    other_branch = EPOCHS.replace(
        "    if scheduler:\n        scheduler.step()\n",
        "    if scheduler:\n        pass\n    else:\n        scheduler.step()\n",
    )
    assert located(other_branch, "NN404") == []


EVAL = """import torch
import torch.nn.functional as F
from torch import nn

from metrics import dice_coeff


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.Conv2d(8, 1, 1))

    def forward(self, x):
        return self.conv(x)


def eval_net(net, loader):
    total = 0
    for img, mask in loader:
        pred = (torch.sigmoid(net(img)) > 0.5).float()
        total += dice_coeff(pred, mask).item()
    return total / len(loader)


net = Net()
optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
for epoch in range(3):
    net.train()
    for img, mask in train_loader:
        optimizer.zero_grad()
        F.binary_cross_entropy_with_logits(net(img), mask).backward()
        optimizer.step()
    print(eval_net(net, val_loader))
"""
METRICS = """import torch


def dice_coeff(pred, target):
    inter = torch.dot(pred.view(-1), target.view(-1))
    return (2 * inter + 1e-4) / (pred.sum() + target.sum() + 1e-4)
"""


def test_an_evaluation_scored_by_the_projects_own_dice_helper_is_an_evaluation(tmp_path: Path) -> None:
    (tmp_path / "metrics.py").write_text(METRICS)
    (tmp_path / "train.py").write_text(EVAL)
    findings = Linter(Config(select=["NN501"])).lint_paths([str(tmp_path)])
    assert [(Path(f.path).name, f.line, f.column) for f in findings] == [("train.py", 20, 31)]


def test_a_helper_without_a_metric_name_or_outside_the_project_does_not_score(tmp_path: Path) -> None:
    (tmp_path / "metrics.py").write_text(METRICS.replace("dice_coeff", "overlap_of"))
    (tmp_path / "train.py").write_text(EVAL.replace("dice_coeff", "overlap_of"))
    assert Linter(Config(select=["NN501"])).lint_paths([str(tmp_path)]) == []
    outside = EVAL.replace("from metrics import dice_coeff", "from unknown_package import dice_coeff")
    assert located(outside, "NN501") == []


def test_a_library_metric_scores_an_evaluation() -> None:
    sklearn = EVAL.replace("from metrics import dice_coeff", "from sklearn.metrics import f1_score").replace(
        "dice_coeff(pred, mask).item()", "f1_score(mask.flatten(), pred.flatten())"
    )
    assert located(sklearn, "NN501") == [(20, 31)]


SUMMED = """import torch


def train_epoch(model, optimizer, loader):
    history = []
    for batch in loader:
        optimizer.zero_grad()
        losses = model.calculate_loss(batch)
        loss = sum(losses) if isinstance(losses, tuple) else losses
        loss.backward()
        optimizer.step()
        history.append(losses)
    return history
"""


def test_a_value_the_backpropagated_loss_is_summed_from_keeps_the_graph() -> None:
    assert located(SUMMED, "NN405") == [(12, 9)]
    aliased = SUMMED.replace("loss = sum(losses) if isinstance(losses, tuple) else losses", "loss = losses")
    assert located(aliased, "NN405") == [(12, 9)]
    parts = SUMMED.replace(
        "loss = sum(losses) if isinstance(losses, tuple) else losses", "ce, reg = losses\n        loss = ce + 0.1 * reg"
    ).replace("history.append(losses)", "history.append(ce)")
    assert located(parts, "NN405") == [(13, 9)]


def test_what_the_loss_is_computed_from_otherwise_is_not_a_loss() -> None:
    inputs = SUMMED.replace(
        "losses = model.calculate_loss(batch)\n        loss = sum(losses) if isinstance(losses, tuple) else losses",
        "logits = model(batch)\n        loss = torch.nn.functional.cross_entropy(logits, batch)",
    ).replace("history.append(losses)", "history.append(logits)")
    assert located(inputs, "NN405") == []
    detached = SUMMED.replace("history.append(losses)", "history.append(loss.item())")
    assert located(detached, "NN405") == []


FEATURES = """import timm
import torch

model = timm.create_model("resnet18", num_classes=10)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for epoch in range(3):
    model.train()
    for x, y in train_loader:
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    with torch.no_grad():
        for x, y in val_loader:
            features = model.forward_features(x)
            print(features.mean())
"""


def test_a_library_models_feature_extractor_runs_its_forward_in_the_current_mode() -> None:
    assert located(FEATURES, "NN501") == [(14, 24)]
    assert located(FEATURES.replace("forward_features", "encode_image"), "NN501") == [(14, 24)]
    evaluated = FEATURES.replace("    with torch.no_grad():", "    model.eval()\n    with torch.no_grad():")
    assert located(evaluated, "NN501") == []
    own_method = FEATURES.replace('timm.create_model("resnet18", num_classes=10)', "Net()") + (
        "\n\nclass Net(torch.nn.Module):\n    def forward_features(self, x):\n        return x\n"
    )
    assert located(own_method, "NN501") == []
