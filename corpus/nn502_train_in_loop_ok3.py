# expect: none
"""model.train() at the top of each epoch, model.eval() for validation at its end."""
import argparse

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    torch.manual_seed(0)
    x = torch.randn(360, 12)
    y = x[:, :3].sum(dim=1, keepdim=True) + 0.1 * torch.randn(360, 1)
    train_loader = DataLoader(TensorDataset(x[:300], y[:300]), batch_size=30, shuffle=True)
    val_loader = DataLoader(TensorDataset(x[300:], y[300:]), batch_size=60)

    model = nn.Sequential(nn.Linear(12, 48), nn.ReLU(), nn.Dropout(0.1), nn.Linear(48, 1))
    criterion = nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)

    for epoch in range(args.epochs):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        scheduler.step()

        model.eval()
        with torch.no_grad():
            val_mse = sum(criterion(model(xb), yb).item() for xb, yb in val_loader) / len(val_loader)
        print(f"epoch {epoch}: train {loss.item():.4f} val {val_mse:.4f}")


if __name__ == "__main__":
    main()
