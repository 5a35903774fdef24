"""A forward inside a helper shared by training and evaluation is judged on each call path (NN501/NN502).

``train()`` and ``validate()`` both run the model through ``self._forward_pass(x, y)``: the mode that
matters is the one at each call of the helper (holdout H09, wolny/pytorch-3dunet). Two gaps on the way:
a trainer's own ``self.train(loader)`` method is a call of that method, not a mode switch, and the calls
of one statement run in Python's order (``Trainer(Net()).fit()`` builds the model before fitting).
"""

from __future__ import annotations

from tests.conftest import lint_text

TRAINER = """
    import torch
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Linear(8, 16), nn.Dropout(0.5), nn.Linear(16, 2))

        def forward(self, x):
            return self.body(x)


    class Trainer:
        def __init__(self, model, loaders):
            self.model = model
            self.loaders = loaders
            self.criterion = nn.CrossEntropyLoss()
            self.optimizer = torch.optim.Adam(model.parameters())

        def fit(self, epochs):
            for _ in range(epochs):
                self.train(self.loaders["train"])
                self.validate(self.loaders["val"])

        def train(self, loader):
            {train_mode}
            for x, y in loader:
                output, loss = self._forward_pass(x, y)
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()

        def validate(self, loader):
            {eval_mode}
            with torch.no_grad():
                for x, y in loader:
                    output, loss = self._forward_pass(x, y)
                    print(loss.item())

        def _forward_pass(self, x, y):
            output = self.model(x)
            loss = self.criterion(output, y)
            return output, loss


    Trainer(Net(), loaders).fit(10)
"""


def _lint(train_mode: str, eval_mode: str):
    source = TRAINER.format(train_mode=train_mode or "pass", eval_mode=eval_mode or "pass")
    return [(f.code, f.line, f.column, f.message) for f in lint_text(source, ["NN501", "NN502"])]


def test_validation_through_the_shared_helper_in_training_mode_is_nn501_at_the_helper_call() -> None:
    findings = _lint("self.model.train()", "")
    assert [f[:3] for f in findings] == [("NN501", 39, 32)]
    assert "evaluated by _forward_pass (line 43) in training mode" in findings[0][3]


def test_eval_before_validation_and_train_before_training_is_silent() -> None:
    assert _lint("self.model.train()", "self.model.eval()") == []


def test_training_through_the_shared_helper_after_eval_is_nn502_at_the_eval_call() -> None:
    findings = _lint("", "self.model.eval()")
    assert [f[:3] for f in findings] == [("NN502", 36, 9)]
    assert "training step at line 30" in findings[0][3]


def test_helper_that_sets_the_mode_itself_is_judged_by_its_own_switch() -> None:
    source = TRAINER.format(train_mode="self.model.train()", eval_mode="pass").replace(
        "            output = self.model(x)\n",
        "            self.model.train(self.model.training)\n            output = self.model(x)\n",
    )
    assert lint_text(source, ["NN501", "NN502"]) == []  # the mode becomes unknown inside the helper


def test_helper_called_only_for_training_is_silent() -> None:
    source = TRAINER.format(train_mode="self.model.train()", eval_mode="pass").replace(
        "output, loss = self._forward_pass(x, y)\n                    print", "print"
    )
    assert lint_text(source, ["NN501", "NN502"]) == []
