# expect: none
"""Class model with a Linear(hidden, 1) head; the target is unsqueezed to (N, 1) before the
Huber loss, so both sides have the same shape."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class Forecaster(nn.Module):
    def __init__(self, window: int = 24, hidden: int = 48) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(window, hidden), nn.ReLU())
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        return self.head(self.body(x))


def main():
    torch.manual_seed(0)
    series = torch.sin(torch.linspace(0, 60, 2000)) + 0.05 * torch.randn(2000)
    windows = series.unfold(0, 24, 8)[:-1]
    targets = series[24::8][: len(windows)]
    loader = DataLoader(TensorDataset(windows, targets), batch_size=32, shuffle=True)
    model = Forecaster()
    criterion = nn.HuberLoss(delta=1.0)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    for epoch in range(2):
        model.train()
        total = 0.0
        for window, target in loader:
            optimizer.zero_grad()
            loss = criterion(model(window), target.unsqueeze(1))
            loss.backward()
            optimizer.step()
            total += loss.item()
        print(epoch, total / len(loader))


if __name__ == "__main__":
    main()
