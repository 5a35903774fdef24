"""One loop body for both phases (:mod:`nnlint.analysis.phases`): with the value that fails every test
guarding the training steps, the loop is an evaluation, and a model left in training mode there is an
NN501."""

from __future__ import annotations

from pathlib import Path
from typing import List, Tuple

import pytest

from nnlint.config import Config
from nnlint.engine import Linter
from tests.conftest import lint_text

REPO = Path(__file__).resolve().parents[2]

HEAD = """import torch
import torch.nn as nn

model = nn.Sequential(nn.Linear(8, 8), nn.Dropout(0.5), nn.Linear(8, 2))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
"""

PHASE_LOOP = (
    HEAD
    + """PHASES = ["train", "val"]
for epoch in range(3):
    for phase in PHASES:
        model.train()
        for x, y in loaders[phase]:
            out = model(x)
            loss = criterion(out, y)
            if phase == "train":
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
"""
)

PHASE_ARGUMENT = (
    HEAD
    + """

def run_epoch(model, loader, phase="train"):
    model.train()
    for x, y in loader:
        loss = criterion(model(x), y)
        if phase != "valid":
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()


for phase in ("train", "valid"):
    run_epoch(model, loaders[phase], phase)
"""
)


def nn501(source: str) -> List[Tuple[int, int, str]]:
    return [(f.line, f.column, f.message) for f in lint_text(source, select=["NN501"])]


def test_a_phase_loop_whose_val_phase_trains_nothing_evaluates_in_training_mode() -> None:
    [(line, column, message)] = nn501(PHASE_LOOP)
    assert (line, column) == (12, 19)
    assert "when phase is 'val', which trains nothing" in message
    inline = PHASE_LOOP.replace("for phase in PHASES:", 'for phase in ["train", "val"]:')
    assert [(f[0], f[1]) for f in nn501(inline)] == [(12, 19)]


def test_a_phase_passed_by_the_callers_loop_to_an_epoch_function() -> None:
    [(line, column, message)] = nn501(PHASE_ARGUMENT)
    assert (line, column) == (12, 26)
    assert "when phase is 'valid'" in message


def test_a_boolean_phase_passed_by_keyword_and_its_default() -> None:
    source = PHASE_ARGUMENT.replace('phase="train"', "train=True").replace('if phase != "valid":', "if train:")
    source = source.replace(
        'for phase in ("train", "valid"):\n    run_epoch(model, loaders[phase], phase)\n',
        "run_epoch(model, train_loader)\nrun_epoch(model, val_loader, train=False)\n",
    )
    assert [(f[0], f[1], "train is False" in f[2]) for f in nn501(source)] == [(12, 26, True)]
    only_training = source.replace("run_epoch(model, val_loader, train=False)\n", "")
    assert nn501(only_training) == []  # no call makes the phase that trains nothing


@pytest.mark.parametrize(
    "change",
    [
        # the phase chooses the mode
        (
            "        model.train()\n",
            '        if phase == "train":\n            model.train()\n        else:\n            model.eval()\n',
        ),
        ("        model.train()\n", '        model.train(phase == "train")\n'),
        # eval on one path only: the joined modes cannot say which phase set which
        ("        model.train()\n", '        model.train()\n        if phase == "val":\n            model.eval()\n'),
        # every phase trains (two optimizers, one per phase)
        ('            if phase == "train":\n', '            if phase == "train" or phase == "val":\n'),
        # a phase value that is not written anywhere
        ('PHASES = ["train", "val"]\n', "PHASES = config.phases\n"),
    ],
)
def test_silent_where_the_phase_sets_the_mode_or_every_phase_trains(change: Tuple[str, str]) -> None:
    assert change[0] in PHASE_LOOP
    assert nn501(PHASE_LOOP.replace(change[0], change[1])) == []


def test_two_phases_each_with_its_own_step_are_both_training() -> None:
    source = PHASE_LOOP.replace(
        '            if phase == "train":\n                optimizer.zero_grad()\n',
        '            if phase == "train":\n                optimizer.zero_grad()\n                loss.backward()\n'
        "                optimizer.step()\n            else:\n                optimizer.zero_grad()\n",
    )
    assert nn501(source) == []


def test_a_phase_test_around_the_whole_training_loop_is_no_evaluation_of_its_forward() -> None:
    source = (
        HEAD
        + """for epoch in range(3):
    for phase in ["train", "val"]:
        if phase == "train":
            model.train()
            for x, y in train_loader:
                loss = criterion(model(x), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        else:
            model.eval()
            with torch.no_grad():
                for x, y in val_loader:
                    loss = criterion(model(x), y)
"""
    )
    assert nn501(source) == []


def test_the_phase_passed_by_a_caller_in_another_file(tmp_path: Path) -> None:
    project = REPO / "corpus" / "projects" / "nn501_phase_helper_bad"
    for name in ("engine.py", "train.py"):
        (tmp_path / name).write_text((project / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / ".git").mkdir()
    found = [(Path(f.path).name, f.line, f.column) for f in Linter(Config()).lint_paths([str(tmp_path)])]
    assert [item for item in found if item[0] == "engine.py"] == [("engine.py", 20, 19)]
    training_only = (
        (tmp_path / "train.py")
        .read_text(encoding="utf-8")
        .replace(
            "        val_loss = run_epoch(model, val_loader, criterion, optimizer, train=False)\n",
            "        val_loss = 0.0\n",
        )
    )
    (tmp_path / "train.py").write_text(training_only, encoding="utf-8")
    assert [f for f in Linter(Config()).lint_paths([str(tmp_path)]) if f.code == "NN501"] == []
