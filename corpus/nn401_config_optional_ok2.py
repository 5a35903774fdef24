# expect: none
"""A config-driven Trainer: gradient clipping runs only when max_grad_norm is configured (default None)."""
from dataclasses import dataclass
from typing import Optional

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


@dataclass
class TrainConfig:
    epochs: int = 2
    lr: float = 1e-3
    batch_size: int = 32
    max_grad_norm: Optional[float] = None


class Trainer:
    def __init__(self, model: nn.Module, config: TrainConfig) -> None:
        self.model = model
        self.config = config
        self.criterion = nn.CrossEntropyLoss()
        self.optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr)

    def train(self, loader: DataLoader) -> None:
        for epoch in range(self.config.epochs):
            self.model.train()
            for xb, yb in loader:
                self.optimizer.zero_grad()
                loss = self.criterion(self.model(xb), yb)
                loss.backward()
                if self.config.max_grad_norm is not None:
                    nn.utils.clip_grad_norm_(self.model.parameters(), self.config.max_grad_norm)
                self.optimizer.step()
            print(f"epoch {epoch}: loss {loss.item():.4f}")


def main() -> None:
    torch.manual_seed(0)
    config = TrainConfig()
    loader = DataLoader(
        TensorDataset(torch.randn(256, 20), torch.randint(0, 5, (256,))), batch_size=config.batch_size, shuffle=True
    )
    model = nn.Sequential(nn.Linear(20, 48), nn.GELU(), nn.Linear(48, 5))
    Trainer(model, config).train(loader)


if __name__ == "__main__":
    main()
