# expect: none
"""NHWC numpy images moved to NCHW with np.transpose; the classifier flattens with view(n, -1)."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


class LeNetish(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.fc1 = nn.Linear(6 * 14 * 14, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(F.relu(self.conv(x)))
        x = x.view(x.size(0), -1)
        return self.fc2(F.relu(self.fc1(x)))


def main() -> None:
    rng = np.random.default_rng(0)
    images = rng.random((256, 32, 32, 3), dtype=np.float32)
    images = np.transpose(images, (0, 3, 1, 2))
    images = (images - 0.5) / 0.25
    x = torch.from_numpy(np.ascontiguousarray(images))
    y = torch.from_numpy(rng.integers(0, 10, size=256)).long()
    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)

    torch.manual_seed(0)
    model = LeNetish()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    model.train()
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    print(f"loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
