"""NN501/NN502 through helpers, context managers, classes and loops."""

from __future__ import annotations

from tests.conftest import codes, lint_text

HEADER = """
import contextlib
import torch
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Dropout(0.3))
        self.head = nn.Linear(16, 2)
    def forward(self, x):
        return self.head(self.body(x))

def train_one_epoch(model, loader, optimizer, criterion):
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
"""


def lint_modes(body: str):
    return codes(lint_text(HEADER + body, select=["NN501", "NN502"]))


def test_evaluate_function_without_eval_called_after_training() -> None:
    found = lint_modes(
        """
@torch.no_grad()
def evaluate(model, loader):
    return sum((model(x).argmax(1) == y).sum().item() for x, y in loader)

def main():
    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(3):
        model.train()
        train_one_epoch(model, loader, optimizer, criterion)
        evaluate(model, loader)

main()
"""
    )
    assert found == ["NN501"]


def test_eval_once_before_the_epoch_loop() -> None:
    found = lint_modes(
        """
def main():
    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    criterion = nn.CrossEntropyLoss()
    model.eval()
    for epoch in range(3):
        model.train()
        train_one_epoch(model, loader, optimizer, criterion)
        with torch.no_grad():
            for x, y in val_loader:
                model(x)

main()
"""
    )
    assert found == ["NN501"]


def test_eval_inside_helper_then_no_train_is_nn502() -> None:
    found = lint_modes(
        """
def validate(model, loader):
    model.eval()
    with torch.no_grad():
        for x, y in loader:
            model(x)

def main():
    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(3):
        train_one_epoch(model, loader, optimizer, criterion)
        validate(model, val_loader)

main()
"""
    )
    assert found == ["NN502"]


def test_toggled_by_context_manager_is_clean() -> None:
    found = lint_modes(
        """
@contextlib.contextmanager
def evaluating(net):
    was_training = net.training
    net.eval()
    try:
        yield net
    finally:
        net.train(was_training)

def main():
    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(3):
        train_one_epoch(model, loader, optimizer, criterion)
        with evaluating(model), torch.no_grad():
            for x, y in val_loader:
                model(x)

main()
"""
    )
    assert found == []


def test_toggled_by_helper_functions_is_clean() -> None:
    found = lint_modes(
        """
def set_eval(m):
    m.eval()

def set_train(m):
    m.train()

def main():
    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(3):
        set_train(model)
        train_one_epoch(model, loader, optimizer, criterion)
        set_eval(model)
        with torch.inference_mode():
            for x, y in val_loader:
                model(x)

main()
"""
    )
    assert found == []


def test_model_without_dropout_or_batchnorm_is_clean() -> None:
    found = lint_text(
        """
import torch
import torch.nn as nn
model = nn.Sequential(nn.Linear(8, 2))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for epoch in range(3):
    for x, y in loader:
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        for x, y in val_loader:
            model(x)
""",
        select=["NN501", "NN502"],
    )
    assert found == []


def test_trainer_class_methods() -> None:
    found = lint_modes(
        """
class Trainer:
    def __init__(self, model):
        self.model = model
        self.optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        self.criterion = nn.CrossEntropyLoss()

    def fit(self, loader, val_loader, epochs):
        for epoch in range(epochs):
            self.model.train()
            for x, y in loader:
                self.optimizer.zero_grad()
                self.criterion(self.model(x), y).backward()
                self.optimizer.step()
            self.validate(val_loader)

    @torch.no_grad()
    def validate(self, loader):
        for x, y in loader:
            self.model(x)

trainer = Trainer(Net())
trainer.fit(loader, val_loader, 3)
"""
    )
    assert found == ["NN501"]


def test_unknown_callers_stay_silent() -> None:
    found = lint_modes(
        """
@torch.no_grad()
def evaluate(model, loader):
    return [model(x) for x, _ in loader]
"""
    )
    assert found == []


# --------------------------------------------- NN501 pinned by mutation testing (bench/mutation.py)
TWICE = """
import torch
import torch.nn as nn
model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 2))

def evaluate(loader):
    correct = 0
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(1) == y).sum().item()
            confidence = model(x).softmax(1).max(1).values.mean().item()
    return correct, confidence

model.train()
evaluate(loader)
"""


def test_nn501_whole_message_evidence_and_one_report_per_function_and_model() -> None:
    findings = lint_text(TWICE, select=["NN501"])
    assert [(f.line, f.column) for f in findings] == [(10, 25)]
    assert findings[0].message == (
        "the model runs in training mode during evaluation: Dropout/BatchNorm behave as in training; "
        "call model.eval() before evaluating"
    )
    assert findings[0].evidence == {"possible_modes": ["train"]}


def test_nn501_evidence_names_both_modes_on_some_paths() -> None:
    source = TWICE.replace(
        "model.train()\nevaluate(loader)", "model.train()\nif resume:\n    model.eval()\nevaluate(loader)"
    )
    (finding,) = lint_text(source, select=["NN501"])
    assert "during evaluation on some paths: Dropout/BatchNorm" in finding.message
    assert finding.evidence == {"possible_modes": ["eval", "train"]}


def test_nn501_a_mode_chosen_by_the_caller_on_purpose_is_silent() -> None:
    source = TWICE.replace(
        "def evaluate(loader):\n    correct = 0\n",
        "def evaluate(loader, training=False):\n    if training:\n        model.train()\n    else:\n"
        "        model.eval()\n    correct = 0\n",
    )
    assert lint_text(source, select=["NN501"]) == []


def test_nn501_skipped_forwards_do_not_stop_the_search() -> None:
    source = TWICE.replace(
        "model.train()\nevaluate(loader)",
        """plain = nn.Linear(4, 2)

def evaluate_plain(loader):
    with torch.no_grad():
        return sum((plain(x).argmax(1) == y).sum().item() for x, y in loader)

def evaluate_as_asked(loader, training=False):
    if training:
        model.train()
    else:
        model.eval()
    with torch.no_grad():
        return sum((model(x).argmax(1) == y).sum().item() for x, y in loader)

def evaluate_again(loader):
    with torch.no_grad():
        return sum((model(x).argmax(1) == y).sum().item() for x, y in loader)

plain.train()
model.train()
evaluate_plain(loader)
evaluate_as_asked(loader)
evaluate(loader)
evaluate_again(loader)""",
    )
    findings = lint_text(source, select=["NN501"])
    assert [(f.line, f.column) for f in findings] == [(10, 25), (30, 21)]
