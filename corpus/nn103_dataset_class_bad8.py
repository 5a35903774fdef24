# expect: NN103@17
"""Sensor data set: the constructor loads every reading and min/max-scales it with statistics of all
samples (in a method it calls); the data set is then random_split into training and validation."""
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, random_split


class Readings(Dataset):
    def __init__(self, n: int, seed: int = 0):
        generator = torch.Generator().manual_seed(seed)
        self.x = torch.rand(n, 6, generator=generator) * 40.0 - 10.0
        self.y = (self.x[:, 0] > 10.0).long()
        self._scale()

    def _scale(self):
        lo, hi = self.x.min(0).values, self.x.max(0).values
        self.x = (self.x - lo) / (hi - lo)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


def main():
    readings = Readings(600)
    train_set, val_set = random_split(readings, [500, 100], generator=torch.Generator().manual_seed(1))
    train_loader = DataLoader(train_set, batch_size=50, shuffle=True)
    val_loader = DataLoader(val_set, batch_size=100)
    model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 2))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(2):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            correct = sum((model(xb).argmax(1) == yb).sum().item() for xb, yb in val_loader)
        print(f"epoch {epoch}: val acc {correct / len(val_set):.3f}")


if __name__ == "__main__":
    main()
