# expect: none
"""gloo process group (world size 1); the epoch is set through `train_loader.sampler`."""
import socket

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def train_one_epoch(model, train_loader, optimizer, epoch):
    train_loader.sampler.set_epoch(epoch)
    model.train()
    for inputs, targets in train_loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(inputs), targets)
        loss.backward()
        optimizer.step()
    return loss.item()


def main():
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{free_port()}", rank=0, world_size=1)
    try:
        torch.manual_seed(0)
        data = TensorDataset(torch.randn(320, 16), torch.randint(0, 4, (320,)))
        train_loader = DataLoader(data, batch_size=32, sampler=DistributedSampler(data))
        model = DDP(nn.Sequential(nn.Linear(16, 64), nn.GELU(), nn.Linear(64, 4)))
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        for epoch in range(2):
            last = train_one_epoch(model, train_loader, optimizer, epoch)
            print(f"epoch {epoch}: last loss {last:.4f}")
    finally:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
