"""Dynamic findings sit at the user's code, never inside an installed package; evidence a script shows only
between its steps (an evaluation, the next backward) is seen."""

from __future__ import annotations

import importlib.util
import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from nnlint.cli import main
from nnlint.dynamic.frames import UserFrames

pytestmark = [
    pytest.mark.dynamic,
    pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed"),
]

LIBRARY = """
import torch


def fit(model, optimizer, batches, evaluate=None):
    for x, y in batches:
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        if evaluate is not None:
            evaluate(model)
"""

USER = """
import torch
from torch import nn
from trainlib.loop import fit

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Dropout(0.5), nn.Linear(32, 4))
optimizer = torch.optim.SGD(model.parameters(), lr=3.0)


def sample(model):
    with torch.no_grad():
        for _ in range(40):
            model(torch.randn(1, 16))


batches = [(torch.randn(64, 16), torch.randint(0, 4, (64,))) for _ in range(5)]
fit(model, optimizer, batches, evaluate=sample)
"""


def install(root: Path) -> Path:
    """``trainlib`` as ``pip install --target deps`` leaves it: the package beside its dist-info."""
    deps = root / "deps"
    (deps / "trainlib").mkdir(parents=True)
    (deps / "trainlib" / "__init__.py").write_text("", encoding="utf-8")
    (deps / "trainlib" / "loop.py").write_text(textwrap.dedent(LIBRARY), encoding="utf-8")
    info = deps / "trainlib-1.0.dist-info"
    info.mkdir()
    (info / "RECORD").write_text("trainlib/__init__.py,,\ntrainlib/loop.py,,\ntrainlib-1.0.dist-info/RECORD,,\n")
    return deps


def test_a_package_installed_into_a_plain_folder_is_library_code(tmp_path: Path, monkeypatch) -> None:
    deps = install(tmp_path)
    (tmp_path / "proj.egg-info").mkdir()  # `setup.py develop`: the user's own project stays user code
    (tmp_path / "mine.py").write_text("def f():\n    return 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.syspath_prepend(str(deps))
    frames = UserFrames()
    loop = compile("x = 1", str(deps / "trainlib" / "loop.py"), "exec")
    mine = compile("x = 1", str(tmp_path / "mine.py"), "exec")
    assert frames.path_of(loop) is None
    assert frames.path_of(mine) == str((tmp_path / "mine.py").resolve())


def test_findings_of_a_library_training_loop_point_at_the_users_script(tmp_path: Path, monkeypatch) -> None:
    """The loop lives in an installed package: it lacks zero_grad, the user's evaluation callback between
    the steps lacks model.eval(), and the learning rate is far too high. Every finding is in train.py, and
    the evaluation of 40 forwards between the steps does not keep the next backward from being seen."""
    deps = install(tmp_path)
    monkeypatch.setenv("PYTHONPATH", str(deps))
    monkeypatch.syspath_prepend(str(deps))
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent(USER), encoding="utf-8")
    result = CliRunner().invoke(main, ["--dynamic", "--device", "cpu", "--format", "json", "--isolated", str(script)])
    findings = [f for f in json.loads(result.stdout) if f["source"] == "dynamic" and f["code"] != "NN004"]
    located = {(f["code"], Path(f["path"]).name, f["line"]) for f in findings}
    assert all(Path(f["path"]).resolve().parent == tmp_path.resolve() for f in findings), located
    assert ("NN501", "train.py", 14) in located  # model(torch.randn(1, 16)) in sample()
    assert ("NN402", "train.py", 18) in located  # fit(...): the innermost user frame of the backward
    nn501 = next(f for f in findings if f["code"] == "NN501")
    assert "Sequential.2" in nn501["message"] and "model.eval()" in nn501["message"]
