# expect: NN106@23
# expect-dynamic: NN106
"""DDP Trainer on a gloo process group (world size 1 on CPU); set_epoch is missing from fit()."""
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


class Trainer:
    def __init__(self, model, dataset, batch_size=32, lr=1e-3):
        self.model = DDP(model)
        self.train_sampler = DistributedSampler(dataset)
        self.train_loader = DataLoader(dataset, batch_size=batch_size, sampler=self.train_sampler)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=lr)

    def fit(self, epochs: int):
        self.model.train()
        for epoch in range(epochs):
            running = 0.0
            for inputs, targets in self.train_loader:
                self.optimizer.zero_grad()
                loss = F.cross_entropy(self.model(inputs), targets)
                loss.backward()
                self.optimizer.step()
                running += loss.item()
            if dist.get_rank() == 0:
                print(f"epoch {epoch}: loss {running / len(self.train_loader):.4f}")


def main():
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{free_port()}", rank=0, world_size=1)
    try:
        torch.manual_seed(0)
        data = TensorDataset(torch.randn(320, 16), torch.randint(0, 4, (320,)))
        net = nn.Sequential(nn.Linear(16, 64), nn.GELU(), nn.Linear(64, 4))
        Trainer(net, data).fit(epochs=2)
    finally:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
