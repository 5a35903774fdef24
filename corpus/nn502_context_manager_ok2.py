# expect: none
"""Validation inside a context manager that restores the previous mode; a Trainer toggles through it."""
from contextlib import contextmanager

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


@contextmanager
def eval_mode(module: nn.Module):
    previous = module.training
    module.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        module.train(previous)


class Trainer:
    def __init__(self, model: nn.Module, lr: float = 1e-3) -> None:
        self.model = model
        self.criterion = nn.CrossEntropyLoss()
        self.optimizer = torch.optim.Adam(model.parameters(), lr=lr)

    def fit(self, train_loader: DataLoader, val_loader: DataLoader, epochs: int) -> None:
        self.model.train()
        for epoch in range(epochs):
            for xb, yb in train_loader:
                self.optimizer.zero_grad()
                loss = self.criterion(self.model(xb), yb)
                loss.backward()
                self.optimizer.step()
            with eval_mode(self.model):
                val_loss = sum(self.criterion(self.model(xb), yb).item() for xb, yb in val_loader)
            print(f"epoch {epoch}: train {loss.item():.4f} val {val_loss / len(val_loader):.4f}")


def main() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(10, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 2))
    train_loader = DataLoader(
        TensorDataset(torch.randn(256, 10), torch.randint(0, 2, (256,))), batch_size=32, shuffle=True
    )
    val_loader = DataLoader(TensorDataset(torch.randn(64, 10), torch.randint(0, 2, (64,))), batch_size=32)
    Trainer(model).fit(train_loader, val_loader, epochs=3)


if __name__ == "__main__":
    main()
