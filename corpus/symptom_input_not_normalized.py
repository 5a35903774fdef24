# expect: none
# expect-dynamic: NN801
"""House-price regression on raw tabular features (square metres, year built, income): never standardised."""
import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_data(n: int = 512):
    generator = torch.Generator().manual_seed(0)
    area = torch.rand(n, 1, generator=generator) * 150 + 30
    year = torch.rand(n, 1, generator=generator) * 60 + 1960
    income = torch.rand(n, 1, generator=generator) * 90_000 + 20_000
    features = torch.cat([area, year, income], dim=1)
    price = (area / 100 + (year - 1990) / 30 + income / 100_000 - 1.5).squeeze(1)
    return features, price


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    features, targets = make_data()
    train = DataLoader(TensorDataset(features[:400], targets[:400]), batch_size=32, shuffle=True)
    val = DataLoader(TensorDataset(features[400:], targets[400:]), batch_size=64)
    model = nn.Sequential(nn.Linear(3, 64), nn.Tanh(), nn.Linear(64, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.MSELoss()
    for epoch in range(args.epochs):
        model.train()
        for x, y in train:
            optimizer.zero_grad()
            loss = criterion(model(x).squeeze(1), y)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            error = sum(criterion(model(x).squeeze(1), y).item() for x, y in val)
        print(f"epoch {epoch}: val mse {error:.3f}")


if __name__ == "__main__":
    main()
