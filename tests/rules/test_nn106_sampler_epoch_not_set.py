"""NN106: DistributedSampler feeding a repeated training loop without set_epoch."""

from __future__ import annotations

from tests.conftest import codes, lint_text

HEADER = """
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

dataset = TensorDataset(torch.randn(64, 4), torch.randint(0, 2, (64,)))
model = nn.Linear(4, 2)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
criterion = nn.CrossEntropyLoss()

def step(x, y):
    optimizer.zero_grad()
    criterion(model(x), y).backward()
    optimizer.step()
"""


def nn106(body: str):
    return codes(lint_text(HEADER + body, select=["NN106"]))


def test_inline_sampler_and_enumerate() -> None:
    body = """
loader = DataLoader(dataset, batch_size=8, sampler=DistributedSampler(dataset, num_replicas=1, rank=0))
for epoch in range(3):
    for i, (x, y) in enumerate(loader):
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()
"""
    assert nn106(body) == ["NN106"]


def test_epoch_function_called_in_a_loop() -> None:
    body = """
def train_epoch(loader):
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()

def main():
    sampler = DistributedSampler(dataset, num_replicas=1, rank=0)
    loader = DataLoader(dataset, batch_size=8, sampler=sampler)
    epoch = 0
    while epoch < 3:
        train_epoch(loader)
        epoch += 1
"""
    assert nn106(body) == ["NN106"]


def test_set_epoch_single_pass_and_no_shuffle_are_silent() -> None:
    body = """
sampler = DistributedSampler(dataset, num_replicas=1, rank=0)
loader = DataLoader(dataset, batch_size=8, sampler=sampler)
for epoch in range(3):
    loader.sampler.set_epoch(epoch)
    for x, y in loader:
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()
once = DataLoader(dataset, batch_size=8, sampler=DistributedSampler(dataset, num_replicas=1, rank=0))
for x, y in once:
    optimizer.zero_grad()
    criterion(model(x), y).backward()
    optimizer.step()
fixed = DataLoader(dataset, batch_size=8, sampler=DistributedSampler(dataset, 1, 0, False))
for epoch in range(3):
    for x, y in fixed:
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()
"""
    assert nn106(body) == []


def test_unidentified_set_epoch_receiver_is_trusted() -> None:
    body = """
loader = DataLoader(dataset, batch_size=8, sampler=DistributedSampler(dataset, num_replicas=1, rank=0))
for epoch in range(3):
    loader.batch_sampler.sampler.set_epoch(epoch)
    for x, y in loader:
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()
"""
    assert nn106(body) == []
