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


DEFAULT_CRITERION = """
    import torch
    from torch import nn

    class MatchingLoss(nn.Module):
        def __init__(self, criterion=nn.CrossEntropyLoss()):
            super().__init__()
            self.criterion = criterion

        def forward(self, raw_scores, target):
            scores = torch.softmax(raw_scores, -1)
            return self.criterion({prediction}, target)
"""


def test_criterion_built_by_default_in_the_signature_is_that_loss() -> None:
    findings = lint_text(DEFAULT_CRITERION.format(prediction="scores"), ["NN201"])
    assert [(f.code, f.line, f.column) for f in findings] == [("NN201", 12, 16)]
    assert "CrossEntropyLoss receives its input after softmax (line 11)" in findings[0].message
    assert lint_text(DEFAULT_CRITERION.format(prediction="raw_scores"), ["NN201"]) == []


def test_a_default_that_a_caller_replaces_is_not_assumed(tmp_path: Path) -> None:
    files = {
        "losses.py": DEFAULT_CRITERION.format(prediction="scores"),
        "train.py": "from losses import MatchingLoss\nloss_fn = MatchingLoss(criterion=build_criterion())\n",
    }
    assert lint_tree(tmp_path, files, ["NN201"]) == []
    files["train.py"] = "from losses import MatchingLoss\nloss_fn = MatchingLoss()\n"
    assert lint_tree(tmp_path / "kept", files, ["NN201"]) == [("losses.py", 11, 16, "NN201")]


ROWS = """
    import torch
    import torch.nn.functional as F

    def matching_loss(raw_scores, n_nodes):
        total = 0
        for graph_scores in {iterable}:
            total = total + F.cross_entropy(graph_scores, torch.arange(n_nodes))
        return total
"""


def test_rows_of_a_softmax_over_the_last_dimension_are_probabilities() -> None:
    findings = lint_text(ROWS.format(iterable="torch.softmax(raw_scores, dim=-1)"), ["NN201"])
    assert [(f.code, f.line, f.column) for f in findings] == [("NN201", 8, 25)]


def test_rows_of_a_softmax_over_dimension_zero_or_of_raw_scores_are_silent() -> None:
    assert lint_text(ROWS.format(iterable="torch.softmax(raw_scores, dim=0)"), ["NN201"]) == []
    assert lint_text(ROWS.format(iterable="raw_scores"), ["NN201"]) == []
    assert lint_text(ROWS.format(iterable="enumerate(torch.softmax(raw_scores, -1))"), ["NN201"]) == []


INJECTED = """
    import torch
    from torch import nn

    class Fusion(nn.Module):
        def __init__(self, encoders, head):
            super().__init__()
            self.encoders = nn.ModuleList(encoders)
            self.head = head

        def forward(self, inputs):
            return self.head(torch.cat([e(x) for e, x in zip(self.encoders, inputs)], 1))

    def train(encoders, head, train_batches, valid_batches, optimizer_factory):
        model = Fusion(encoders, head)
        optimizer = optimizer_factory(model.parameters())
        for epoch in range(3):
            model.train()
            for inputs, labels in train_batches:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(inputs), labels).backward()
                optimizer.step()
            {switch}
            with torch.no_grad():
                for inputs, labels in valid_batches:
                    accuracy = (model(inputs).argmax(1) == labels).float().mean()
"""


def test_model_with_submodules_from_its_caller_is_judged_by_the_codes_own_mode_switches() -> None:
    findings = lint_text(INJECTED.format(switch="pass"), ["NN501"])
    assert [(f.code, f.line, f.column) for f in findings] == [("NN501", 26, 29)]


def test_evaluated_in_eval_mode_or_never_switched_is_silent() -> None:
    assert lint_text(INJECTED.format(switch="model.eval()"), ["NN501"]) == []
    never_switched = INJECTED.replace("            model.train()\n", "")
    assert lint_text(never_switched.format(switch="pass"), ["NN501"]) == []


CHAINED_EVAL = """
    import torch
    from torch import nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 2)
            self.drop = nn.Dropout(0.5)

        def forward(self, x):
            return self.fc(self.drop(x))

    def build():
        return Net()

    def test_scores():
        model = {built}
        with torch.no_grad():
            labels = model(torch.rand(3, 4)).argmax(1)
"""


def test_a_mode_chained_on_the_built_model_applies_after_it_is_built() -> None:
    # calls of a statement run in evaluation order: the factory builds (training mode), then .eval()
    for built in ("Net().eval()", "build().eval()", "build().train(False)"):
        assert lint_text(CHAINED_EVAL.format(built=built), ["NN501"]) == [], built
    findings = lint_text(CHAINED_EVAL.format(built="build()"), ["NN501"])
    assert [(f.code, f.line, f.column) for f in findings] == [("NN501", 20, 18)]
