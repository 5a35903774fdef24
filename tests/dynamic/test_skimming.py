"""Skimming: where the budget would stop a run before it sees what a probe needs, the script runs on
uninstrumented to get there (the training backward after a long evaluation between the first two steps;
the evaluation after a loop that trains on past its second step), within a time budget."""

from __future__ import annotations

import importlib.util
import textwrap
import time
from pathlib import Path

import pytest

from nnlint.dynamic import run_dynamic
from nnlint.finding import Source
from nnlint.registry import load_registry

pytestmark = [
    pytest.mark.dynamic,
    pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed"),
]

# a manual loop (no DataLoader, so the recorder cannot end the epoch) of 40 steps, then an evaluation
MANUAL_EPOCH = """
import torch
from torch import nn
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 3))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
data, labels = torch.randn(640, 8), torch.randint(0, 3, (640,))
for i in range(0, 640, 16):
    optimizer.zero_grad()
    nn.functional.cross_entropy(model(data[i:i + 16]), labels[i:i + 16]).backward()
    optimizer.step()
{eval_line}
with torch.no_grad():
    print(model(data[:64]).argmax(1).float().mean())
"""

# minGPT's Trainer: a sampling callback of 1500 no-grad forwards between the first two steps (an instrumented
# evaluation ends the run at its 1000th forward)
SAMPLING_BETWEEN_STEPS = """
import torch
from torch import nn
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 8))
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
def sample():
    model.eval()
    x = torch.randn(1, 8)
    with torch.no_grad():
        for _ in range(1500):
            x = torch.softmax(model(x), -1)
    model.train()
for it in range(5):
    x, y = torch.randn(16, 8), torch.randint(0, 8, (16,))
    loss = nn.functional.cross_entropy(model(x), y)
{clear}
    loss.backward()
    optimizer.step()
    if it == 0:
        sample()
"""


def dynamic(tmp_path: Path, body: str):
    path = tmp_path / "train.py"
    path.write_text(textwrap.dedent(body))
    probes = [cls() for cls in load_registry().probes.values()]
    report = run_dynamic(str(path), [], probes, device="cpu", timeout=120)
    assert report.error is None, report.error
    return report


def codes(report) -> list:
    return [(f.code, f.line) for f in report.findings if f.code != "NN004"]


def test_an_evaluation_after_a_manual_epoch_is_reached_and_its_training_mode_reported(tmp_path: Path) -> None:
    report = dynamic(tmp_path, MANUAL_EPOCH.format(eval_line="pass"))
    obs = report.observations
    assert obs["steps"] == 2
    assert obs["skimmed"]["to"] == "evaluation"
    assert obs["skimmed"]["after"] == "budget spent: a third training step began"
    assert "seconds" in obs["skimmed"]  # it got there
    assert obs["eval_forwards"][0]["root_training"] is True
    assert obs["eval_forwards"][0]["train_mode_layers"] == ["Sequential.2"]
    (finding,) = [f for f in report.findings if f.code == "NN501"]
    assert (finding.line, finding.source) == (14, Source.DYNAMIC)  # the evaluation's forward
    assert "Sequential.2" in finding.message


def test_the_same_evaluation_in_eval_mode_is_silent(tmp_path: Path) -> None:
    report = dynamic(tmp_path, MANUAL_EPOCH.format(eval_line="model.eval()"))
    assert report.observations["eval_forwards"][0]["root_training"] is False
    assert codes(report) == []


def test_stale_gradients_after_a_long_sampling_callback_are_found(tmp_path: Path) -> None:
    report = dynamic(tmp_path, SAMPLING_BETWEEN_STEPS.format(clear="    pass"))
    obs = report.observations
    assert obs["skimmed"]["to"] == "training"
    assert obs["skimmed"]["after"].startswith("evaluation limit (21 forwards in ")
    assert obs["second_backward"]["params_with_stale_grad"] == obs["second_backward"]["params"] == 4
    (finding,) = [f for f in report.findings if f.code == "NN402"]
    assert finding.line == 18 and "every one of the 4 parameters" in finding.message


def test_gradients_cleared_before_the_backward_after_the_callback_are_silent(tmp_path: Path) -> None:
    report = dynamic(tmp_path, SAMPLING_BETWEEN_STEPS.format(clear="    optimizer.zero_grad()"))
    assert report.observations["skimmed"]["to"] == "training"
    assert report.observations["second_backward"]["params_with_stale_grad"] == 0
    assert report.observations["late_train_forward"]["root_training"] is True
    assert codes(report) == []


def test_skimming_that_reaches_nothing_stops_within_its_budget(tmp_path: Path) -> None:
    started = time.monotonic()
    report = dynamic(
        tmp_path,
        """
        import time
        import torch
        from torch import nn
        model = nn.Sequential(nn.Linear(8, 16), nn.Dropout(0.2), nn.Linear(16, 3))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        while True:  # trains forever, never evaluates
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(torch.randn(16, 8)), torch.randint(0, 3, (16,))).backward()
            optimizer.step()
            time.sleep(0.01)
        """,
    )
    obs = report.observations
    assert obs["stop_reason"].startswith("budget spent: a third training step began; ")
    assert obs["stop_reason"].endswith(" s of CPU) more without instrumentation did not reach the evaluation")
    assert "seconds" not in obs["skimmed"]
    assert 3.0 <= obs["skimmed"]["budget_seconds"] <= 10.0
    assert time.monotonic() - started < 60
    assert codes(report) == []


def test_a_model_without_dropout_or_batch_norm_is_not_skimmed(tmp_path: Path) -> None:
    report = dynamic(
        tmp_path,
        """
        import torch
        from torch import nn
        model = nn.Linear(8, 3)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for _ in range(1000):
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(torch.randn(16, 8)), torch.randint(0, 3, (16,))).backward()
            optimizer.step()
        """,
    )
    assert "skimmed" not in report.observations
    assert report.observations["stop_reason"] == "budget spent: a third training step began"


def test_statistics_of_a_sparse_tensor_name_its_layout_and_judge_nothing() -> None:
    import torch

    from nnlint.dynamic import tensorstats

    sparse = torch.eye(4).to_sparse()
    assert tensorstats.summary(sparse) == {"shape": [4, 4], "dtype": "float32", "layout": "sparse_coo"}
    assert tensorstats.digest(sparse) == tensorstats.digest(torch.eye(4).to_sparse())
    assert tensorstats.digest(sparse) != tensorstats.digest((2 * torch.eye(4)).to_sparse())
