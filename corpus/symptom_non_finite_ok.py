# expect: none
"""Sensor regression with an in-model feature scaler guarded by an epsilon for constant sensors."""
import argparse

import torch
from torch import nn


class BatchScaler(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        centred = x - x.mean(dim=0, keepdim=True)
        return centred / (centred.std(dim=0, keepdim=True) + 1e-5)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    generator = torch.Generator().manual_seed(0)
    model = nn.Sequential(BatchScaler(), nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.MSELoss()
    for step in range(args.steps):
        readings = torch.randn(64, 6, generator=generator)
        readings[:, 5] = 1.0  # the humidity sensor is stuck
        target = readings[:, :5].sum(dim=1, keepdim=True)
        optimizer.zero_grad()
        loss = criterion(model(readings), target)
        loss.backward()
        optimizer.step()
        if step % 10 == 0:
            print(f"step {step}: loss {loss.item():.3f}")


if __name__ == "__main__":
    main()
