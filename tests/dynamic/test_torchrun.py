"""--launcher torchrun: every rank is instrumented; ranks that see the same samples are reported (gloo, CPU)."""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path

import pytest

from nnlint.dynamic import run_dynamic
from nnlint.registry import load_registry

pytestmark = [
    pytest.mark.dynamic,
    pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed"),
]

DDP_SCRIPT = """
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

dist.init_process_group("gloo")
torch.manual_seed(0)
data = TensorDataset(torch.randn(512, 8), torch.randint(0, 3, (512,)))
{loader}
model = DDP(nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 3)))
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
for epoch in range(3):
    {set_epoch}
    for x, y in loader:
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
dist.destroy_process_group()
"""


def run(tmp_path: Path, loader: str, set_epoch: str = "pass"):
    path = tmp_path / "ddp_train.py"
    path.write_text(textwrap.dedent(DDP_SCRIPT.format(loader=loader, set_epoch=set_epoch)), encoding="utf-8")
    probes = [cls() for cls in load_registry().probes.values()]
    return run_dynamic(str(path), [], probes, launcher="torchrun", nproc_per_node=2, device="cpu", timeout=240)


def test_ranks_training_on_the_same_batches_are_reported(tmp_path: Path) -> None:
    report = run(tmp_path, "loader = DataLoader(data, batch_size=32, shuffle=True)")
    assert report.error is None, report.error
    assert [f.code for f in report.findings] == ["NN106"]
    assert report.findings[0].evidence["ranks"] == 2


def test_distributed_sampler_is_silent(tmp_path: Path) -> None:
    report = run(
        tmp_path,
        "sampler = DistributedSampler(data, shuffle=True)\nloader = DataLoader(data, batch_size=32, sampler=sampler)",
        "sampler.set_epoch(epoch)",
    )
    assert report.error is None, report.error
    assert report.findings == []
