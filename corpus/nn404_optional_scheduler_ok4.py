# expect: none
"""A configurable trainer whose scheduler is optional: it steps the scheduler at the end of each epoch,
behind `if self.scheduler is not None`, after that epoch's optimizer steps."""
from typing import Optional

import torch
from torch import nn
from torch.optim.lr_scheduler import LRScheduler, StepLR
from torch.utils.data import DataLoader, TensorDataset


class Trainer:
    def __init__(
        self, model: nn.Module, optimizer: torch.optim.Optimizer, scheduler: Optional[LRScheduler] = None
    ) -> None:
        self.model = model
        self.optimizer = optimizer
        self.scheduler = scheduler
        self.loss_fn = nn.MSELoss()

    def train_step(self, x: torch.Tensor, y: torch.Tensor) -> float:
        self.optimizer.zero_grad()
        loss = self.loss_fn(self.model(x), y)
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def fit(self, loader: DataLoader, epochs: int) -> None:
        for epoch in range(epochs):
            total = sum(self.train_step(x, y) for x, y in loader)
            if self.scheduler is not None:
                self.scheduler.step()
            print(f"epoch {epoch}: loss {total / len(loader):.4f}")


def main() -> None:
    torch.manual_seed(0)
    x = torch.randn(64, 4)
    y = x.sum(dim=1, keepdim=True)
    loader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    Trainer(model, optimizer, StepLR(optimizer, step_size=1, gamma=0.5)).fit(loader, 3)


if __name__ == "__main__":
    main()
