"""--dynamic on notebooks: the code cells run in order as one script in the notebook's folder, magics skipped
with a note, run-time findings and crashes mapped back to cells, nothing left behind."""

from __future__ import annotations

import glob
import importlib.util
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from nnlint.config import Config
from nnlint.dynamic import run_dynamic
from nnlint.engine import Linter
from nnlint.registry import load_registry
from tests.notebooks.helpers import write_notebook

pytestmark = [
    pytest.mark.dynamic,
    pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed"),
]

SETUP = (
    "%matplotlib inline\n!pip install -q torch\n"
    "import torch\nimport torch.nn as nn\nfrom torch.utils.data import DataLoader, TensorDataset\n"
    "scale = float(open('scale.txt').read())  # a file next to the notebook\n"
)
DATA = (
    "torch.manual_seed(0)\nx = torch.randn(256, 20) * scale + 40\ny = (x[:, 0] > 40).long()\n"
    "loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)\ndisplay(x.shape)"
)
MODEL = (
    "model = nn.Sequential(nn.Linear(20, 16), nn.ReLU(), nn.Linear(16, 2), nn.Softmax(dim=1))\n"
    "criterion = nn.CrossEntropyLoss()\noptimizer = torch.optim.SGD(model.parameters(), lr=0.01)"
)
TRAIN = (
    "%%time\nfor xb, yb in loader:\n    optimizer.zero_grad()\n    loss = criterion(model(xb), yb)\n"
    "    loss.backward()\n    optimizer.step()"
)


def _leftovers() -> set:
    return set(glob.glob(os.path.join(tempfile.gettempdir(), "nnlint-notebook-*")))


def _dynamic(path: Path):
    static = Linter(Config()).lint_file(str(path))
    probes = [cls() for cls in load_registry().probes.values()]
    return static, run_dynamic(str(path), [], probes, static, device="cpu", timeout=120)


def test_run_time_findings_and_confirmations_are_placed_in_cells(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "scale.txt").write_text("30\n")
    path = write_notebook(folder / "train.ipynb", [("markdown", "# Training"), SETUP, DATA, MODEL, TRAIN])
    monkeypatch.chdir(tmp_path)  # not the notebook's folder: it still finds scale.txt
    before = _leftovers()
    static, report = _dynamic(path)
    assert report.error is None, report.error
    [nn201] = [f for f in static if f.code == "NN201"]
    assert (nn201.cell, nn201.line, nn201.confirmed) == (5, 4, True)
    [nn801] = [f for f in report.findings if f.code == "NN801"]  # the unscaled input, seen at the model call
    assert (nn801.path, nn801.cell, nn801.line) == (str(path), 5, 4)
    assert (
        "skipped 3 IPython lines (cell 2, line 1: `%matplotlib inline`; cell 2, line 2: `!pip install -q torch`; "
        "cell 5, line 1: `%%time`)" in report.note
    )
    assert _leftovers() == before


def test_a_crash_is_reported_at_its_cell(tmp_path: Path) -> None:
    (tmp_path / "scale.txt").write_text("1\n")
    crash = "def check(batch):\n    raise ValueError('bad batch')\n\ncheck(next(iter(loader)))"
    path = write_notebook(tmp_path / "train.ipynb", [SETUP, DATA, crash, MODEL, TRAIN])
    before = _leftovers()
    _, report = _dynamic(path)
    assert report.error.startswith(
        f"{path}:cell 3:2: the script raised ValueError: bad batch before its first training step"
    )
    assert "traceback: train.ipynb:cell 3:2 <- train.ipynb:cell 3:4" in report.error
    assert _leftovers() == before


def test_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "scale.txt").write_text("1\n")
    write_notebook(tmp_path / "train.ipynb", [SETUP, DATA.replace(" + 40", "").replace("> 40", "> 0"), MODEL, TRAIN])
    result = subprocess.run(
        [sys.executable, "-m", "nnlint", "--no-cache", "--dynamic", "--device", "cpu", "train.ipynb"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("train.ipynb:cell 4:4:12: NN201 ") and "[confirmed at run time]" in result.stdout
    assert "nnlint: dynamic: note: skipped 3 IPython lines (cell 1, line 1: `%matplotlib inline`;" in result.stderr
