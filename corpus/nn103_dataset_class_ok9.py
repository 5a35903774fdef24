# expect: none
"""Twin of nn103_dataset_class_bad8: the readings are split first and the data set is given the
training part's minimum and maximum, which it applies to either part."""
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset


class Readings(Dataset):
    def __init__(self, x, y, lo, hi):
        self.x = (x - lo) / (hi - lo)
        self.y = y

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


def main():
    generator = torch.Generator().manual_seed(0)
    x = torch.rand(600, 6, generator=generator) * 40.0 - 10.0
    y = (x[:, 0] > 10.0).long()
    order = torch.randperm(600, generator=torch.Generator().manual_seed(1))
    train_idx, val_idx = order[:500], order[500:]
    lo, hi = x[train_idx].min(0).values, x[train_idx].max(0).values
    train_set = Readings(x[train_idx], y[train_idx], lo, hi)
    val_set = Readings(x[val_idx], y[val_idx], lo, hi)
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
