"""The flake8 plugin, run by a real flake8: same findings and columns as nnlint, no torch import."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("flake8")

TRAIN = textwrap.dedent(
    """\
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(20, 10), nn.Softmax(dim=1))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
    """
)


def _run(args, cwd: Path) -> "subprocess.CompletedProcess[str]":
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=180)


def test_flake8_reports_nnlint_findings_at_the_same_place(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(TRAIN)
    flake8 = _run(["-m", "flake8", "--select", "NN", "train.py"], tmp_path)
    nnlint = _run(["-m", "nnlint", "train.py"], tmp_path)
    assert flake8.returncode == 1, flake8.stderr
    assert flake8.stdout.splitlines() == nnlint.stdout.splitlines() != []
    assert flake8.stdout.startswith("train.py:9:12: NN201 ")


def test_flake8_selection_and_noqa_decide(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(
        TRAIN.replace("loss = criterion(model(x), y)", "loss = criterion(model(x), y)  # noqa: NN201")
    )
    assert _run(["-m", "flake8", "--select", "NN", "train.py"], tmp_path).stdout == ""
    (tmp_path / "train.py").write_text(TRAIN)
    ignored = _run(["-m", "flake8", "--select", "NN", "--extend-ignore", "NN201", "train.py"], tmp_path)
    assert ignored.stdout == "" and ignored.returncode == 0


def test_flake8_plugin_never_imports_torch(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(TRAIN)
    run = _run(["-X", "importtime", "-m", "flake8", "--select", "NN", "-j", "1", "train.py"], tmp_path)
    imported = [line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines() if line.startswith("import time:")]
    assert "nnlint.engine" in imported  # the plugin ran nnlint's own engine in this process
    assert not [name for name in imported if name == "torch" or name.startswith("torch.")]
    assert "NN201" in run.stdout
