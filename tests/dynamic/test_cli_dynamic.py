"""`nnlint --dynamic SCRIPT -- ARGS`: script arguments, findings in the report, one clear error on failure."""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from nnlint.cli import main

pytestmark = [
    pytest.mark.dynamic,
    pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed"),
]

SCRIPT = """
import argparse
import torch
from torch import nn
parser = argparse.ArgumentParser()
parser.add_argument("--scale", type=float, required=True)
args = parser.parse_args()
model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(10):
    x = torch.rand(32, 4) * args.scale
    y = x.sum(dim=1, keepdim=True) / args.scale
    optimizer.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
"""


def write(tmp_path: Path) -> Path:
    path = tmp_path / "train.py"
    path.write_text(textwrap.dedent(SCRIPT), encoding="utf-8")
    return path


def test_script_arguments_after_double_dash_reach_the_script(tmp_path: Path) -> None:
    path = write(tmp_path)
    result = CliRunner().invoke(main, ["--dynamic", "--device", "cpu", str(path), "--", "--scale", "255"])
    assert result.exit_code == 1, result.output
    assert "NN801" in result.output and "[dynamic]" in result.output
    clean = CliRunner().invoke(main, ["--dynamic", "--device", "cpu", str(path), "--", "--scale", "1"])
    assert clean.exit_code == 0, clean.output


def test_missing_script_arguments_are_one_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path)
    result = CliRunner().invoke(main, ["--dynamic", "--device", "cpu", str(path)])
    assert result.exit_code == 2
    assert "dynamic pass" in result.output and "sys.exit(2)" in result.output and "--scale" in result.output
