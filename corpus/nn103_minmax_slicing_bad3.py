# expect: NN103@25
"""Sensor-window classifier: min/max scaling over all windows, then a slice split."""
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class SensorNet(nn.Module):
    def __init__(self, channels: int, n_classes: int):
        super().__init__()
        self.conv = nn.Conv1d(channels, 16, kernel_size=5, padding=2)
        self.head = nn.Linear(16, n_classes)

    def forward(self, x):
        h = F.relu(self.conv(x))
        return self.head(h.mean(dim=2))


def main():
    torch.manual_seed(1)
    signals = torch.rand(500, 3, 64) * 200.0 - 40.0
    labels = torch.randint(0, 4, (500,))

    lo, hi = signals.min(), signals.max()
    signals = (signals - lo) / (hi - lo)

    n_train = int(0.8 * len(signals))
    x_train, y_train = signals[:n_train], labels[:n_train]
    x_val, y_val = signals[n_train:], labels[n_train:]

    train_loader = DataLoader(TensorDataset(x_train, y_train), batch_size=50, shuffle=True)
    val_loader = DataLoader(TensorDataset(x_val, y_val), batch_size=100)

    model = SensorNet(3, 4)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    for epoch in range(2):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            val_loss = sum(F.cross_entropy(model(xb), yb).item() for xb, yb in val_loader)
        print(f"epoch {epoch}: val loss {val_loss / len(val_loader):.4f}")


if __name__ == "__main__":
    main()
