# expect: none
"""Fraud detector whose label threshold and amounts are both in euros."""
import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

FRAUD_THRESHOLD_EUROS = 900


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    generator = torch.Generator().manual_seed(0)
    features = torch.randn(1024, 12, generator=generator)
    amount_euros = features[:, 0].abs() * 800
    labels = (amount_euros > FRAUD_THRESHOLD_EUROS).long()
    loader = DataLoader(TensorDataset(features, labels), batch_size=64, shuffle=True)
    model = nn.Sequential(nn.Linear(12, 32), nn.ReLU(), nn.Linear(32, 2))
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
