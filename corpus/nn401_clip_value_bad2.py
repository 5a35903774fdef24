# expect: NN401@27
"""Gradient values clipped to +-0.5 on every step inside train_one_epoch."""
import argparse

import torch
from torch import nn
from torch.nn.utils import clip_grad_value_
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


def train_one_epoch(model, loader, criterion, optimizer) -> float:
    model.train()
    total = 0.0
    for inputs, targets in loader:
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        clip_grad_value_(model.parameters(), clip_value=0.5)
        optimizer.step()
        total += loss.item()
    return total / len(loader)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--lr", type=float, default=1e-3)
    args = parser.parse_args()
    torch.manual_seed(0)
    loader = DataLoader(
        TensorDataset(torch.randn(256, 16), torch.randint(0, 4, (256,))), batch_size=32, shuffle=True
    )
    model = Net()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(args.epochs):
        print(f"epoch {epoch}: {train_one_epoch(model, loader, criterion, optimizer):.4f}")


if __name__ == "__main__":
    main()
