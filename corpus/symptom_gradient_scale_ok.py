# expect: none
"""A deep MLP with LayerNorm and ReLU: gradients keep their scale through depth."""
import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def deep_mlp(width: int = 64, depth: int = 14) -> nn.Sequential:
    layers = [nn.Linear(16, width), nn.LayerNorm(width), nn.ReLU()]
    for _ in range(depth):
        layers += [nn.Linear(width, width), nn.LayerNorm(width), nn.ReLU()]
    return nn.Sequential(*layers, nn.Linear(width, 4))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(1024, 16, generator=generator)
    y = x[:, :4].argmax(dim=1)
    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
    model = deep_mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
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
