"""A name bound on some paths only holds any of its values: a model picked in an ``if``/``else`` (or
passed by different callers) is checked for each choice; and a helper of another file that evaluates
the model it is given is judged with the mode the model has at the call."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst

from nnlint.analysis.model import SemanticModel
from tests.analysis.test_cross_file_bindings import lint_tree

NETS = """
    import torch.nn as nn
    import torch.nn.functional as F

    class Plain(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 1, 1)

        def forward(self, x):
            return self.conv(x)

    class Squashed(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 1, 1)

        def forward(self, x):
            return F.sigmoid(self.conv(x))
"""

TRAIN = """
    import torch
    import torch.nn as nn
    from nets import Plain, Squashed

    def train_net(net, loader):
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        criterion = nn.BCEWithLogitsLoss()
        for x, y in loader:
            opt.zero_grad()
            loss = criterion(net(x), y)
            loss.backward()
            opt.step()

    if __name__ == "__main__":
        if args.deep:
            model = Squashed()
        else:
            model = Plain()
        train_net(model, loader)
"""


def test_a_model_chosen_in_a_branch_is_checked_for_each_choice(tmp_path: Path) -> None:
    found = lint_tree(tmp_path, {"nets.py": NETS, "train.py": TRAIN}, ["NN301"])
    # at the loss, and at the sigmoid of the choice that feeds it (nets.py)
    assert found == [("nets.py", 18, 16, "NN301"), ("train.py", 10, 16, "NN301")]


def test_silent_when_every_choice_returns_logits(tmp_path: Path) -> None:
    nets = NETS.replace("return F.sigmoid(self.conv(x))", "return self.conv(x)")
    assert lint_tree(tmp_path, {"nets.py": nets, "train.py": TRAIN}, ["NN301"]) == []


def test_an_unconditional_rebinding_ends_the_choices(tmp_path: Path) -> None:
    train = TRAIN.replace(
        "        train_net(model, loader)", "        model = Plain()\n        train_net(model, loader)"
    )
    assert lint_tree(tmp_path, {"nets.py": NETS, "train.py": train}, ["NN301"]) == []


def test_returns_chosen_by_an_argument_are_not_choices(tmp_path: Path) -> None:
    """``forward(x, probabilities=False)``: which return runs depends on the call, so no answer."""
    nets = NETS.replace(
        "        def forward(self, x):\n            return F.sigmoid(self.conv(x))",
        "        def forward(self, x, probabilities=False):\n            if probabilities:\n"
        "                return F.sigmoid(self.conv(x))\n            return self.conv(x)",
    )
    assert "probabilities" in nets
    assert lint_tree(tmp_path, {"nets.py": nets, "train.py": TRAIN}, ["NN301"]) == []


def test_alternative_bindings_latest_first() -> None:
    source = textwrap.dedent(
        """
        net = A()
        if flag:
            net = B()
        elif other:
            net = C()
        use(net)
        """
    )
    model = SemanticModel(cst.parse_module(source), "m.py")
    use = next(n for n in model.nodes_of(cst.Name) if n.value == "net" and model.line_of(n) == 7)
    bindings = model.alternative_bindings(use, model.module_scope)
    assert [model.line_of(b.node) for b in bindings] == [6, 4, 2]


METRICS = """
    import torch

    def evaluate_model(model, loader):
        hits = 0
        for x, y in loader:
            hits += int((torch.max(model(x), 1)[1] == y).sum())
        return hits
"""

MAIN = """
    import torch
    import torch.nn as nn
    from metrics import evaluate_model

    model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 2))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    model.train()
    for x, y in loader:
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    accuracy = evaluate_model(model, loader)
    again = evaluate_model(model, loader)
"""


def test_a_helper_of_another_file_evaluating_a_training_mode_model(tmp_path: Path) -> None:
    found = lint_tree(tmp_path, {"metrics.py": METRICS, "main.py": MAIN}, ["NN501"])
    # once per helper and model, at the first call; and in the helper's own file, at its forward
    assert found == [("main.py", 12, 12, "NN501"), ("metrics.py", 6, 32, "NN501")]


def test_helper_evaluation_after_eval_is_silent(tmp_path: Path) -> None:
    main = MAIN.replace("accuracy = evaluate_model", "model.eval()\naccuracy = evaluate_model")
    assert lint_tree(tmp_path, {"metrics.py": METRICS, "main.py": main}, ["NN501"]) == []


def test_helper_that_sets_the_mode_itself_is_silent(tmp_path: Path) -> None:
    metrics = METRICS.replace("        hits = 0", "        model.eval()\n        hits = 0")
    assert lint_tree(tmp_path, {"metrics.py": metrics, "main.py": MAIN}, ["NN501"]) == []


def test_helper_without_dropout_or_batchnorm_is_silent(tmp_path: Path) -> None:
    main = MAIN.replace("nn.Dropout(0.5), ", "")
    assert lint_tree(tmp_path, {"metrics.py": METRICS, "main.py": main}, ["NN501"]) == []


SELF_CHOICE = """
    import torch
    import torch.nn as nn
    from nets import Plain, Squashed

    class Trainer:
        def __init__(self, deep):
            if deep:
                self.net = Squashed()
            else:
                self.net = Plain()
            self.criterion = nn.BCEWithLogitsLoss()
            self.opt = torch.optim.Adam(self.net.parameters(), lr=1e-3)

        def fit(self, loader):
            for x, y in loader:
                self.opt.zero_grad()
                loss = self.criterion(self.net(x), y)
                loss.backward()
                self.opt.step()
"""


def test_an_attribute_assigned_per_branch_is_checked_for_each_choice(tmp_path: Path) -> None:
    found = lint_tree(tmp_path, {"nets.py": NETS, "trainer.py": SELF_CHOICE}, ["NN301"])
    assert found == [("nets.py", 18, 16, "NN301"), ("trainer.py", 17, 20, "NN301")]
