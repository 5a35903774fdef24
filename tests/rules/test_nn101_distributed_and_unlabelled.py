"""NN101 stays silent where the order cannot hurt: a distributed Lightning trainer replaces the training
sampler with a shuffling DistributedSampler, and a loop that throws every batch's targets away has no
class order to follow. Everything else about those loaders is still reported, at the loader."""

from __future__ import annotations

import pytest

from tests.conftest import lint_text

FIT = """
import lightning as L
import torch
from torch.utils.data import DataLoader, TensorDataset
from lightning.pytorch.strategies import DDPStrategy, ModelParallelStrategy


class Net(L.LightningModule):
    def training_step(self, batch, batch_idx):
        x, y = batch
        return torch.nn.functional.cross_entropy(self.layer(x), y)


data = TensorDataset(torch.randn(64, 4), torch.randint(0, 2, (64,)))
loader = DataLoader(data, batch_size=8)
strategy = ModelParallelStrategy(data_parallel_size=4, tensor_parallel_size=1)
trainer = L.Trainer({kwargs})
trainer.fit(Net(), loader)
"""


def fit_findings(kwargs: str):
    return [(f.line, f.column) for f in lint_text(FIT.replace("{kwargs}", kwargs), select=["NN101"])]


@pytest.mark.parametrize(
    "kwargs",
    [
        'strategy="ddp", devices=2',
        'strategy="fsdp"',
        'strategy="deepspeed_stage_2"',
        "strategy=DDPStrategy(find_unused_parameters=True)",
        "strategy=strategy",  # a name bound to ModelParallelStrategy(...)
        "devices=4",
        'accelerator="gpu", devices=[0, 1]',
        'devices="0,1"',
        'accelerator="ddp", gpus=1',  # 1.x: the accelerator names the strategy
        'distributed_backend="ddp", gpus=2',  # 0.x
        "strategy=DDPStrategy(), use_distributed_sampler=True",
    ],
)
def test_a_distributed_trainer_shuffles_the_training_loader_itself(kwargs: str) -> None:
    assert fit_findings(kwargs) == []


@pytest.mark.parametrize(
    "kwargs",
    [
        "max_epochs=3",
        "devices=1",
        'devices="auto"',  # how many there are is known only at run time
        "devices=-1",
        "gpus=2",  # DataParallel before 1.0, DDP after: which one depends on the version
        "num_nodes=2",
        'strategy="dp", devices=2',  # DataParallel: one process, no DistributedSampler
        'strategy="single_device"',
        'strategy="ddp", use_distributed_sampler=False',
        "gpus=2, replace_sampler_ddp=False",
        'strategy="ddp", overfit_batches=10',  # Lightning turns shuffling off to overfit
        "strategy=args.strategy, devices=2",
        "**trainer_options",
    ],
)
def test_a_trainer_that_may_not_shuffle_leaves_the_loader_reported(kwargs: str) -> None:
    assert fit_findings(kwargs) == [(15, 10)]


HOOK = """
import lightning as L
import torch
from torch.utils.data import DataLoader, TensorDataset


class Module(L.LightningModule):
    def train_dataloader(self):
        return DataLoader(TensorDataset(torch.randn(64, 4), torch.randint(0, 2, (64,))), batch_size=8)


class Wider(Module):
    pass


L.Trainer(strategy="ddp", devices=8).fit(Wider())
"""


def test_a_hook_is_silent_when_every_trainer_of_its_module_runs_distributed() -> None:
    assert lint_text(HOOK, select=["NN101"]) == []
    one_device = HOOK + "L.Trainer(max_epochs=2).fit(Module())\n"
    assert [(f.line, f.column) for f in lint_text(one_device, select=["NN101"])] == [(9, 16)]
    no_trainer = HOOK.replace('L.Trainer(strategy="ddp", devices=8).fit(Wider())\n', "")
    assert [(f.line, f.column) for f in lint_text(no_trainer, select=["NN101"])] == [(9, 16)]


def test_fabric_keeps_the_order_of_the_loader_it_is_given() -> None:
    """``fabric.setup_dataloaders`` gives its DistributedSampler the loader's own shuffle (False here)."""
    findings = lint_text(
        """
        import torch
        from lightning.fabric import Fabric
        from torch.utils.data import DataLoader, TensorDataset

        fabric = Fabric(strategy="ddp", devices=4)
        loader = DataLoader(TensorDataset(torch.randn(64, 4), torch.randint(0, 2, (64,))), batch_size=8)
        loader = fabric.setup_dataloaders(loader)
        for epoch in range(5):
            for xb, yb in loader:
                optimizer.zero_grad()
                fabric.backward(criterion(model(xb), yb))
                optimizer.step()
        """,
        select=["NN101"],
    )
    assert [(f.line, f.column) for f in findings] == [(7, 10)]


LOOP = """
import torch
from tqdm import tqdm
from torch.utils.data import DataLoader, TensorDataset

images = TensorDataset(torch.randn(64, 3, 8, 8), torch.arange(4).repeat_interleave(16))
loader = DataLoader(images, batch_size=8)
other = DataLoader(images, batch_size=8, shuffle=True)
for epoch in range(4):
{loop}
        optimizer.zero_grad()
        loss = criterion(model(x), x)
        loss.backward()
        optimizer.step()
"""


def loop_findings(loop: str):
    return [(f.line, f.column) for f in lint_text(LOOP.replace("{loop}", loop), select=["NN101"])]


@pytest.mark.parametrize(
    "loop",
    [
        "    for x, _ in loader:",
        "    for batch_id, (x, _) in enumerate(loader):",
        "    for x, _labels in tqdm(loader):",
        "    for x, y in loader:",  # y is never read
        "    for x, *_ in loader:",
        "    for (x, _), (x2, _) in zip(loader, other):",
        "    progress = tqdm(loader)\n    for step, (x, _) in enumerate(progress):",
        "    for batch in loader:\n        x = batch[0].float()",
        "    for batch in loader:\n        x, _ = batch",
        "    for x, y in loader:\n        _, y = model(x).max(1)",  # y rebound before any read
    ],
)
def test_a_loop_that_throws_the_targets_away_is_silent(loop: str) -> None:
    assert loop_findings(loop) == []


@pytest.mark.parametrize(
    "loop",
    [
        "    for x, y in loader:\n        y = y.long()",
        "    for x, _y in loader:\n        print(_y)",
        "    for batch in loader:\n        x = batch[0]\n        y = batch[1]",
        "    for batch in loader:\n        x = batch[0]\n        log(batch)",
        "    for batch in loader:\n        x = model.prepare(batch)",
        "    for x in loader:",  # one element: it may hold the targets too
        "    for (x, y), (x2, _) in zip(loader, other):\n        print(y)",
        "    batches = iter(loader)\n    for step in range(10):\n        x, _ = next(batches)",  # next(): not read
    ],
)
def test_a_loop_that_may_read_the_targets_is_reported(loop: str) -> None:
    assert loop_findings(loop) == [(7, 10)]


def test_a_target_read_by_a_function_as_a_global_is_used() -> None:
    helper = "def objective():\n    return criterion(model(x), y)\n\n"
    source = LOOP.replace("{loop}", "    for x, y in loader:").replace(
        "for epoch in range(4):", helper + "for epoch in range(4):"
    )
    assert [(f.line, f.column) for f in lint_text(source, select=["NN101"])] == [(7, 10)]
    batch = LOOP.replace("{loop}", "    for batch in loader:\n        x = batch[0]")
    batch = batch.replace("for epoch in range(4):", "def labels():\n    return batch[1]\n\nfor epoch in range(4):")
    assert [(f.line, f.column) for f in lint_text(batch, select=["NN101"])] == [(7, 10)]


def test_every_training_use_of_the_loader_must_throw_the_targets_away() -> None:
    pretrain = LOOP.replace("{loop}", "    for x, _ in loader:")
    finetune = """
for epoch in range(2):
    for x, y in loader:
        optimizer.zero_grad()
        criterion(classifier(x), y).backward()
        optimizer.step()
"""
    findings = lint_text(pretrain + finetune, select=["NN101"])
    assert [(f.line, f.column) for f in findings] == [(7, 10)]
    assert "feeds the training loop at line 17 without shuffle=True" in findings[0].message
