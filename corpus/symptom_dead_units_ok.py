# expect: none
"""Tabular MLP with zero-initialised hidden biases: about half the ReLUs fire for each sample."""
import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class SparseMLP(nn.Module):
    def __init__(self, features: int = 24, hidden: int = 128) -> None:
        super().__init__()
        self.hidden = nn.Linear(features, hidden)
        self.act = nn.ReLU()
        self.out = nn.Linear(hidden, 3)
        nn.init.zeros_(self.hidden.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.act(self.hidden(x)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(768, 24, generator=generator)
    y = torch.randint(0, 3, (768,), generator=generator)
    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
    model = SparseMLP()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(args.epochs):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: loss {loss.item():.3f}")


if __name__ == "__main__":
    main()
