# expect: NN202@30
# expect-dynamic: NN202
"""Fits a standardised target (mean 0, std 1) with models.make_regressor and F.mse_loss."""
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from models import make_regressor


def make_data(n: int = 400, num_features: int = 6):
    x = torch.randn(n, num_features)
    # The target is already standardised (zero mean, unit variance), as after a StandardScaler.
    y = x @ torch.randn(num_features, 1) / num_features**0.5 + 0.1 * torch.randn(n, 1)
    split = n * 3 // 4
    return TensorDataset(x[:split], y[:split]), TensorDataset(x[split:], y[split:])


def main() -> None:
    torch.manual_seed(0)
    train_ds, val_ds = make_data()
    train_loader = DataLoader(train_ds, batch_size=50, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=100)
    model = make_regressor(num_features=6)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(2):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = F.mse_loss(model(xb), yb)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            val_mse = sum(F.mse_loss(model(xb), yb, reduction="sum").item() for xb, yb in val_loader)
        print(f"epoch {epoch}: val mse {val_mse / len(val_ds):.4f}")


if __name__ == "__main__":
    main()
