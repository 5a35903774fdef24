# expect: none
"""Loaders built by one factory whose shuffle flag depends on the split."""
import argparse

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def make_loader(split: str, batch_size: int) -> DataLoader:
    n = 320 if split == "train" else 96
    x = torch.randn(n, 8)
    y = torch.randint(0, 3, (n,))
    return DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=(split == "train"))


def make_loader_flag(is_train: bool, batch_size: int) -> DataLoader:
    x = torch.randn(160, 8)
    y = torch.randint(0, 3, (160,))
    return DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=is_train, drop_last=is_train)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    torch.manual_seed(0)

    train_loader = make_loader("train", 32)
    extra_loader = make_loader_flag(True, 32)
    val_loader = make_loader("val", 32)
    model = nn.Sequential(nn.Linear(8, 32), nn.Tanh(), nn.Linear(32, 3))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    for epoch in range(args.epochs):
        model.train()
        for loader in (train_loader, extra_loader):
            for xb, yb in loader:
                optimizer.zero_grad()
                criterion(model(xb), yb).backward()
                optimizer.step()
        model.eval()
        with torch.no_grad():
            correct = sum((model(xb).argmax(1) == yb).sum().item() for xb, yb in val_loader)
        print(f"epoch {epoch}: val acc {correct / len(val_loader.dataset):.3f}")


if __name__ == "__main__":
    main()
