"""Blind spots found on a second round of real bugs outside the development set
(bench/realcode/holdout2-bugs.tsv), each a general gap in the semantic model:

- a loss grown in place (``loss = nll; loss += penalty``) is the same graph-attached loss (NN405);
- a dropout module built inside ``forward`` is never registered, so ``model.eval()`` never reaches it (NN203);
- a step whose only clearing sits on the other branch of an ``if`` (the amp/fp32 split) is uncleared (NN402);
- a scheduler stepped in the same branch just before a training function of another file runs the
  optimizer's steps is stepped first (NN404).
"""

from __future__ import annotations

from pathlib import Path

from tests.analysis.test_holdout_causes import lint_tree
from tests.conftest import lint_text

AUGMENTED_LOSS = """
    import torch

    net = torch.nn.Linear(3, 1)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    for epoch in range(3):
        running_loss = 0.0
        for x, y in batches:
            optimizer.zero_grad()
            loss = -torch.mean(net(x) * y)
            loss += penalty(net)
            loss.backward()
            optimizer.step()
            running_loss += {value}
"""


def test_loss_grown_in_place_and_backpropagated_is_kept_with_its_graph() -> None:
    findings = lint_text(AUGMENTED_LOSS.format(value="loss"), ["NN405"])
    assert [(f.code, f.line, f.column) for f in findings] == [("NN405", 14, 9)]
    assert "running_loss += <loss tensor>" in findings[0].message


def test_loss_grown_in_place_from_a_library_loss_is_live_before_any_backward() -> None:
    source = """
        import torch
        import torch.nn.functional as F

        for x, y in batches:
            optimizer.zero_grad()
            loss = F.mse_loss(net(x), y)
            loss += 0.1 * reg
            total = loss * 2
            optimizer.step()
            history.append(loss)
    """
    findings = lint_text(source, ["NN405"])
    assert [(f.code, f.line, f.column) for f in findings] == [("NN405", 11, 5)]


def test_item_of_a_loss_grown_in_place_is_silent() -> None:
    assert lint_text(AUGMENTED_LOSS.format(value="loss.item()"), ["NN405"]) == []
    assert lint_text(AUGMENTED_LOSS.format(value="loss.detach()"), ["NN405"]) == []


DROPOUT_MODEL = """
    import torch
    from torch import nn

    class Head(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(16, 4)
            self.drop = nn.Dropout(0.2)

        def forward(self, x):
            {body}
            return self.fc(x)
"""


def test_dropout_module_built_inside_forward_is_always_on() -> None:
    findings = lint_text(DROPOUT_MODEL.format(body="x = nn.Dropout(0.5)(x)"), ["NN203"])
    assert [(f.code, f.line, f.column) for f in findings] == [("NN203", 12, 13)]
    assert "nn.Dropout built inside Head.forward" in findings[0].message
    assert "model.eval() never reaches it" in findings[0].message


def test_dropout_module_bound_to_a_local_name_in_forward_is_always_on() -> None:
    body = "drop = nn.Dropout2d(p=0.1)\n            x = drop(x)"
    findings = lint_text(DROPOUT_MODEL.format(body=body), ["NN203"])
    assert [(f.code, f.line, f.column) for f in findings] == [("NN203", 13, 13)]
    assert "nn.Dropout2d" in findings[0].message


def test_registered_or_guarded_dropout_modules_are_silent() -> None:
    for body in (
        "x = self.drop(x)",
        "x = nn.ReLU()(x)",
        "if self.training:\n                x = nn.Dropout(0.5)(x)",
    ):
        assert lint_text(DROPOUT_MODEL.format(body=body), ["NN203"]) == [], body


AMP_LOOP = """
    import torch

    def train_one_epoch(model, criterion, loader, optimizer, scaler, amp):
        for samples, targets in loader:
            loss = criterion(model(samples), targets)
            if amp:
                optimizer.zero_grad()
                scaler.scale(loss).backward()
                scaler.step(optimizer)
                scaler.update()
            else:
                {plain}
                loss.backward()
                optimizer.step()
"""


def test_step_on_the_branch_without_clearing_is_reported() -> None:
    findings = lint_text(AMP_LOOP.format(plain="pass"), ["NN402"])
    assert [(f.code, f.line, f.column) for f in findings] == [("NN402", 15, 13)]
    assert "cleared only on the other branch" in findings[0].message


def test_clearing_on_both_branches_or_before_the_if_is_silent() -> None:
    assert lint_text(AMP_LOOP.format(plain="optimizer.zero_grad()"), ["NN402"]) == []
    before = AMP_LOOP.replace("            if amp:\n", "            optimizer.zero_grad()\n            if amp:\n")
    assert lint_text(before.format(plain="pass"), ["NN402"]) == []


ENGINE = """
    def train(model, loader, criterion, optimizer):
        for x, y in loader:
            optimizer.zero_grad()
            criterion(model(x), y).backward()
            optimizer.step()
"""

PHASES = """
    import torch
    import engine

    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=5)
    for epoch in range(20):
        if epoch < 2:
            engine.train(model, loader, criterion, warm_optimizer)
        else:
            {first}
            {second}
"""


def test_scheduler_before_a_training_function_of_another_file_in_the_same_branch(tmp_path: Path) -> None:
    files = {
        "engine.py": ENGINE,
        "train.py": PHASES.format(first="scheduler.step()", second="engine.train(model, loader, criterion, optimizer)"),
    }
    assert lint_tree(tmp_path, files, ["NN404"]) == [("train.py", 10, 9, "NN404")]


def test_scheduler_after_the_training_function_or_alone_under_its_own_if_is_silent(tmp_path: Path) -> None:
    after = {
        "engine.py": ENGINE,
        "train.py": PHASES.format(first="engine.train(model, loader, criterion, optimizer)", second="scheduler.step()"),
    }
    assert lint_tree(tmp_path / "after", after, ["NN404"]) == []
    alone = {
        "engine.py": ENGINE,
        "train.py": PHASES.format(
            first="if epoch % 3 == 0:\n                scheduler.step()",
            second="engine.train(model, loader, criterion, optimizer)",
        ),
    }
    assert lint_tree(tmp_path / "alone", alone, ["NN404"]) == []
