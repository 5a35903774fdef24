# expect: none
# expect-dynamic: NN101
"""Defect classifier whose loader options come from a settings dict; the samples were written to disk class by class."""
import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

SETTINGS = {"loader": {"batch_size": 32, "shuffle": False}, "lr": 1e-3}


def load_samples() -> TensorDataset:
    generator = torch.Generator().manual_seed(0)
    labels = torch.arange(4).repeat_interleave(96)  # 96 images of each defect class, one class after another
    features = torch.randn(len(labels), 20, generator=generator) + labels[:, None].float()
    return TensorDataset(features, labels)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    loader = DataLoader(load_samples(), **SETTINGS["loader"])
    model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 4))
    optimizer = torch.optim.Adam(model.parameters(), lr=SETTINGS["lr"])
    criterion = nn.CrossEntropyLoss()
    for epoch in range(args.epochs):
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: loss {loss.item():.3f}")


if __name__ == "__main__":
    main()
