# expect: none
# expect-dynamic: NN202
"""Temperature-anomaly regressor whose output activation comes from the experiment config: ReLU, against targets below zero."""
import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

CONFIG = {"hidden": 64, "output_activation": "ReLU", "lr": 1e-3}


def build(config: dict) -> nn.Module:
    output_activation = getattr(nn, config["output_activation"])
    return nn.Sequential(nn.Linear(8, config["hidden"]), nn.Tanh(), nn.Linear(config["hidden"], 1), output_activation())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    generator = torch.Generator().manual_seed(0)
    features = torch.randn(512, 8, generator=generator)
    anomaly = features[:, :3].sum(dim=1, keepdim=True) / 3  # degrees above or below the seasonal mean
    loader = DataLoader(TensorDataset(features, anomaly), batch_size=64, shuffle=True)
    model = build(CONFIG)
    optimizer = torch.optim.Adam(model.parameters(), lr=CONFIG["lr"])
    criterion = nn.MSELoss()
    for epoch in range(args.epochs):
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
