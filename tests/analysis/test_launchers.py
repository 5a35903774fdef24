"""Launchers that hand back what they are given (accelerate's ``prepare``, Lightning Fabric's ``setup``,
apex's ``amp.initialize``) keep each object's role, and their ``backward(loss)`` backpropagates the loss;
a ``prepare`` of anything else proves nothing."""

from __future__ import annotations

import textwrap
from typing import List, Tuple

import pytest

from tests.conftest import lint_text

NET = """
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 3)

    def forward(self, x):
        return F.softmax(self.fc(x), dim=1)


"""
LOOP = """
    for epoch in range(3):
        for x, y in loader:
            optimizer.zero_grad()
            loss = nn.CrossEntropyLoss()(model(x), y)
            {backward}
            optimizer.step()
"""


def found(body: str, select: List[str]) -> List[Tuple[int, int, str]]:
    findings = lint_text(NET + textwrap.dedent(body), select=select)
    return [(f.line, f.column, f.code) for f in findings]


def line_of(body: str, fragment: str) -> int:
    lines = (NET + textwrap.dedent(body)).splitlines()
    return next(i for i, text in enumerate(lines, 1) if fragment in text)


@pytest.mark.parametrize(
    "setup, backward",
    [
        (
            "from accelerate import Accelerator\naccelerator = Accelerator()\n"
            "model, optimizer, loader = accelerator.prepare(model, optimizer, loader)",
            "accelerator.backward(loss)",
        ),
        (
            "import lightning as L\nfabric = L.Fabric()\nmodel, optimizer = fabric.setup(model, optimizer)",
            "fabric.backward(loss)",
        ),
        (
            "from apex import amp\nmodel, optimizer = amp.initialize(model, optimizer, opt_level='O1')",
            "loss.backward()",
        ),
        (
            "from accelerate import Accelerator\naccelerator = Accelerator()\nmodel = accelerator.prepare(model)",
            "accelerator.backward(loss)",
        ),
    ],
)
def test_the_model_keeps_its_output_through_a_launcher(setup: str, backward: str) -> None:
    body = (
        "def main(data):\n    model = Net()\n    optimizer = torch.optim.Adam(model.parameters())\n"
        "    loader = DataLoader(data, batch_size=8, shuffle=True)\n"
        + textwrap.indent(setup, "    ")
        + LOOP.format(backward=backward)
    )
    assert found(body, ["NN201"]) == [(line_of(body, "loss = nn.CrossEntropyLoss()"), 20, "NN201")]


def test_a_prepare_method_of_anything_else_proves_nothing() -> None:
    body = (
        "def main(data, tool):\n    model = Net()\n    optimizer = torch.optim.Adam(model.parameters())\n"
        "    loader = DataLoader(data, batch_size=8, shuffle=True)\n"
        "    model, optimizer = tool.prepare(model, optimizer)" + LOOP.format(backward="loss.backward()")
    )
    assert found(body, ["NN201"]) == []


def test_a_prepared_training_loader_keeps_its_order() -> None:
    body = """
    from accelerate import Accelerator

    def main():
        accelerator = Accelerator()
        model = Net()
        optimizer = torch.optim.Adam(model.parameters())
        loader = DataLoader(TensorDataset(torch.randn(64, 8), torch.randint(0, 3, (64,))), batch_size=8)
        model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
        for epoch in range(3):
            for x, y in loader:
                optimizer.zero_grad()
                accelerator.backward(nn.functional.cross_entropy(model(x), y))
                optimizer.step()
    """
    assert found(body, ["NN101"]) == [(line_of(body, "loader = DataLoader("), 14, "NN101")]


@pytest.mark.parametrize("launcher", ["accelerator", "self.accelerator"])
def test_what_a_launcher_backpropagates_is_a_graph_attached_loss(launcher: str) -> None:
    body = f"""
    from accelerate import Accelerator

    class Trainer:
        def __init__(self, model, optimizer):
            self.accelerator = Accelerator()
            self.model, self.optimizer = model, optimizer

        def fit(self, loader):
            accelerator = self.accelerator
            running = 0
            for x, y in loader:
                self.optimizer.zero_grad()
                err = ((self.model(x) - y) ** 2).sum()
                {launcher}.backward(err)
                self.optimizer.step()
                running += err
            return running
    """
    assert found(body, ["NN405"]) == [(line_of(body, "running += err"), 13, "NN405")]


def test_accumulating_what_an_unknown_object_backpropagates_is_not_proof() -> None:
    body = """
    def fit(model, optimizer, loader, engine):
        running = 0
        for x, y in loader:
            optimizer.zero_grad()
            err = model(x)
            engine.backward(err)
            optimizer.step()
            running += err
        return running
    """
    assert found(body, ["NN405"]) == []


@pytest.mark.parametrize(
    "arguments, expected",
    [
        ("output_dir='out', max_grad_norm=0.5", True),
        ("output_dir='out'", False),
        ("output_dir='out', max_grad_norm=args.clip", False),
        ("output_dir='out', max_grad_norm=0.0", False),
    ],
)
def test_a_hugging_face_clipping_threshold_written_out(arguments: str, expected: bool) -> None:
    body = f"from transformers import TrainingArguments\ntraining_args = TrainingArguments({arguments})\n"
    result = found(body, ["NN401"])
    assert result == ([(line_of(body, "training_args ="), 17, "NN401")] if expected else [])
    if expected:
        message = lint_text(NET + body, select=["NN401"])[0].message
        assert "TrainingArguments(max_grad_norm=...)" in message and "0.5" in message


@pytest.mark.parametrize(
    "factory, expected",
    [
        ("create_supervised_trainer(model, optimizer, nn.CrossEntropyLoss())", True),
        ("create_supervised_trainer(model, optimizer, loss_fn=criterion)", True),
        ("create_supervised_trainer(model, optimizer, nn.MSELoss())", False),
        ("create_supervised_evaluator(model, metrics={})", False),
    ],
)
def test_an_ignite_trainer_feeds_the_model_output_to_its_loss(factory: str, expected: bool) -> None:
    body = (
        "from ignite.engine import create_supervised_evaluator, create_supervised_trainer\n"
        "model = Net()\noptimizer = torch.optim.SGD(model.parameters(), lr=0.01)\ncriterion = nn.CrossEntropyLoss()\n"
        f"engine = {factory}\n"
    )
    assert found(body, ["NN201"]) == ([(line_of(body, "engine ="), 10, "NN201")] if expected else [])


IGNITE_SETUP = """
from ignite.engine import Engine, Events
model = Net()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10)
trainer = Engine(update)
"""


@pytest.mark.parametrize(
    "registration, expected",
    [
        ("@trainer.on(Events.EPOCH_STARTED)\ndef adjust(engine):\n    scheduler.step()\n", True),
        ("trainer.add_event_handler(Events.EPOCH_STARTED, lambda engine: scheduler.step())\n", True),
        (
            "def adjust(engine):\n    scheduler.step()\n\ntrainer.add_event_handler(Events.EPOCH_STARTED, adjust)\n",
            True,
        ),
        ("@trainer.on(Events.EPOCH_COMPLETED)\ndef adjust(engine):\n    scheduler.step()\n", False),
        ("@trainer.on(Events.EPOCH_STARTED)\ndef log(engine):\n    print(engine.state.epoch)\n", False),
    ],
)
def test_an_ignite_scheduler_stepped_at_the_start_of_each_epoch(registration: str, expected: bool) -> None:
    body = IGNITE_SETUP + registration
    result = found(body, ["NN404"])
    assert result == (
        [(line_of(body, "scheduler.step()"), line_of_column(body, "scheduler.step()"), "NN404")] if expected else []
    )


def line_of_column(body: str, fragment: str) -> int:
    return (NET + textwrap.dedent(body)).splitlines()[line_of(body, fragment) - 1].index(fragment) + 1
