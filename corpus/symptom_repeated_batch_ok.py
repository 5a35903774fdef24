# expect: none
"""Sentiment classifier with a map-style Dataset that reads the requested index."""
import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset


class Reviews(Dataset):
    def __init__(self, n: int = 512, dim: int = 32) -> None:
        generator = torch.Generator().manual_seed(0)
        self.features = torch.randn(n, dim, generator=generator)
        self.labels = (self.features[:, 0] > 0).long()
        self.cursor = 0

    def __len__(self) -> int:
        return len(self.features)

    def __getitem__(self, index: int):
        item = self.features[index], self.labels[index]
        return item


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    loader = DataLoader(Reviews(), batch_size=32, shuffle=True)
    model = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 2))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(args.epochs):
        model.train()
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: loss {loss.item():.3f}")


if __name__ == "__main__":
    main()
