# expect: NN202@29
# expect-dynamic: NN202
"""forward squashes the prediction with torch.sigmoid; the loss is F.l1_loss on unbounded targets."""
import argparse

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class HousePriceNet(nn.Module):
    def __init__(self, num_features: int) -> None:
        super().__init__()
        self.hidden = nn.Linear(num_features, 64)
        self.norm = nn.LayerNorm(64)
        self.out = nn.Linear(64, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.norm(self.hidden(x)))
        return torch.sigmoid(self.out(h))


def train_one_epoch(model, loader, optimizer) -> float:
    model.train()
    total = 0.0
    for features, price in loader:
        optimizer.zero_grad()
        loss = F.l1_loss(model(features), price)
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total / len(loader)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    torch.manual_seed(0)
    features = torch.randn(320, 12)
    price = 2.0 * features[:, :1] - features[:, 1:2] + 0.2 * torch.randn(320, 1)
    loader = DataLoader(TensorDataset(features, price), batch_size=32, shuffle=True)
    model = HousePriceNet(12)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for epoch in range(args.epochs):
        print(f"epoch {epoch}: mae {train_one_epoch(model, loader, optimizer):.4f}")


if __name__ == "__main__":
    main()
