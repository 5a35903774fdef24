# expect: NN305@32
# expect-dynamic: NN305
"""Sensor forecaster (class model, Linear(hidden, 1) head) trained with F.l1_loss against a
one-dimensional target vector."""
import warnings

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

warnings.filterwarnings("ignore", message="Using a target size")


class Forecaster(nn.Module):
    def __init__(self, window: int = 24, hidden: int = 48) -> None:
        super().__init__()
        self.lstm = nn.LSTM(1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, series: torch.Tensor) -> torch.Tensor:
        out, _ = self.lstm(series.unsqueeze(-1))
        return self.head(out[:, -1])


def train_one_epoch(model, loader, optimizer):
    model.train()
    total = 0.0
    for window, next_value in loader:
        optimizer.zero_grad()
        forecast = model(window)
        loss = F.l1_loss(forecast, next_value)
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total / len(loader)


def main():
    torch.manual_seed(0)
    windows = torch.randn(400, 24)
    targets = torch.randn(400)
    loader = DataLoader(TensorDataset(windows, targets), batch_size=32, shuffle=True)
    model = Forecaster()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    for epoch in range(2):
        print(epoch, train_one_epoch(model, loader, optimizer))


if __name__ == "__main__":
    main()
