"""Failure modes of the dynamic pass: each ends in one clear error, and nothing is left running."""

from __future__ import annotations

import importlib.util
import os
import textwrap
import time
from pathlib import Path

import pytest

from nnlint.dynamic.runner import run_script

pytestmark = [
    pytest.mark.dynamic,
    pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed"),
]

TRAIN_STEP = """
import torch
from torch import nn
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
"""


def script(tmp_path: Path, body: str, name: str = "train.py") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def processes_mentioning(marker: str) -> list:
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                if marker.encode() in handle.read():
                    found.append(int(pid))
        except OSError:
            continue
    return found


def test_crash_before_training_reports_the_users_line(tmp_path: Path) -> None:
    path = script(tmp_path, TRAIN_STEP + "\nraise ValueError('bad shape in my loader')\n")
    result = run_script(str(path), device="cpu", timeout=60)
    assert result.status == "crashed"
    assert "ValueError: bad shape in my loader" in str(result.error)
    assert result.error.path == str(path.resolve()) and result.error.line == 7


def test_timeout_kills_the_script_and_its_children(tmp_path: Path) -> None:
    marker = f"nnlint-test-sleeper-{os.getpid()}-{time.time_ns()}"
    path = script(
        tmp_path,
        f"""
        import subprocess, sys, time
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", "{marker}"])
        time.sleep(300)
        """,
    )
    started = time.monotonic()
    result = run_script(str(path), device="cpu", timeout=4)
    assert time.monotonic() - started < 30
    assert result.status == "timeout"
    assert "within 4 s" in str(result.error) and "killed" in str(result.error)
    time.sleep(0.5)
    assert processes_mentioning(marker) == []


def test_sys_exit_before_training_is_one_error_with_usage(tmp_path: Path) -> None:
    path = script(
        tmp_path,
        """
        import argparse
        parser = argparse.ArgumentParser()
        parser.add_argument("--data", required=True)
        parser.parse_args()
        """,
    )
    result = run_script(str(path), device="cpu", timeout=60)
    assert result.status == "exited"
    message = str(result.error)
    assert "sys.exit(2)" in message and "--data" in message and "after `--`" in message


def test_script_args_cwd_and_sibling_imports(tmp_path: Path) -> None:
    script(tmp_path, "SCALE = 2.0\n", name="helpers.py")
    path = script(
        tmp_path,
        TRAIN_STEP
        + """
import os, sys
import helpers
assert sys.argv[1:] == ["--epochs", "1"], sys.argv
assert os.getcwd() == os.path.dirname(os.path.abspath(__file__))
torch.save(model.state_dict(), "checkpoint.pt")
x, y = torch.randn(16, 4) * helpers.SCALE, torch.randint(0, 2, (16,))
loss = nn.functional.cross_entropy(model(x), y)
loss.backward()
optimizer.step()
sys.exit(0)
""",
    )
    result = run_script(str(path), ["--epochs", "1"], device="cpu", timeout=60)
    assert result.error is None, result.error
    assert result.observations["steps"] == 1
    assert result.observations["suppressed_saves"] == 1
    assert not (tmp_path / "checkpoint.pt").exists()  # the user's folder is left as it was


def test_reading_stdin_is_reported(tmp_path: Path) -> None:
    path = script(tmp_path, TRAIN_STEP + "\nanswer = input('continue? ')\n")
    result = run_script(str(path), device="cpu", timeout=60)
    assert result.status == "stdin"
    assert "reads standard input" in str(result.error) and result.error.line == 7


def test_script_without_training_loop(tmp_path: Path) -> None:
    path = script(tmp_path, TRAIN_STEP + "\nprint(model(torch.randn(2, 4)))\n")
    result = run_script(str(path), device="cpu", timeout=60)
    assert "without reaching a training step" in str(result.error)
    assert "never called backward()" in str(result.error)


def test_dataloader_workers_and_the_global_step_budget(tmp_path: Path) -> None:
    marker = f"nnlint-workers-{time.time_ns()}"
    path = script(
        tmp_path,
        TRAIN_STEP
        + f"""
from torch.utils.data import DataLoader, TensorDataset
MARKER = "{marker}"
data = TensorDataset(torch.randn(256, 4), torch.randint(0, 2, (256,)))
train = DataLoader(data, batch_size=16, shuffle=True, num_workers=2)
val = DataLoader(data, batch_size=64, num_workers=2)
for epoch in range(100000):
    model.train()
    for x, y in train:
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        for x, y in val:
            model(x)
""",
    )
    started = time.monotonic()
    result = run_script(str(path), device="cpu", timeout=120)
    assert result.error is None, result.error
    assert time.monotonic() - started < 60
    obs = result.observations
    assert result.status == "stopped" and obs["steps"] == 2
    assert obs["eval_forwards"] and obs["late_train_forward"] is not None
    assert obs["loaders"][0]["num_workers"] == 2
    time.sleep(0.5)
    assert processes_mentioning(str(path)) == []
