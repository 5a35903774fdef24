# expect: none
"""Regression where the (N, 1) prediction is squeezed to (N,) before MSELoss, and the
validation L1 compares a flattened prediction."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


def evaluate(model, loader):
    model.eval()
    total = 0.0
    with torch.no_grad():
        for x, y in loader:
            total += F.l1_loss(model(x).view(-1), y, reduction="sum").item()
    return total / len(loader.dataset)


def main():
    torch.manual_seed(0)
    features = torch.randn(512, 13)
    prices = features @ torch.randn(13) + 0.1 * torch.randn(512)
    train_loader = DataLoader(TensorDataset(features[:448], prices[:448]), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(features[448:], prices[448:]), batch_size=64)

    model = nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 1))
    criterion = nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(2):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            pred = model(x).squeeze(1)
            loss = criterion(pred, y)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch} val mae {evaluate(model, val_loader):.4f}")


if __name__ == "__main__":
    main()
