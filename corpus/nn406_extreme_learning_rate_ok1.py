# expect: none
"""Sane literal rates: SGD at 0.1 with momentum, Adam at 3e-4, Adadelta at its default 1.0, and
a per-group rate for the head."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def run(model, optimizer, loader, criterion):
    model.train()
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
    return loss.item()


def main():
    torch.manual_seed(0)
    loader = DataLoader(TensorDataset(torch.randn(128, 10), torch.randint(0, 3, (128,))), batch_size=16, shuffle=True)
    criterion = nn.CrossEntropyLoss()

    a = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 3))
    print(run(a, torch.optim.SGD(a.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4), loader, criterion))

    b = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 3))
    print(run(b, torch.optim.Adam(b.parameters(), lr=3e-4), loader, criterion))

    c = nn.Sequential(nn.Linear(10, 3))
    print(run(c, torch.optim.Adadelta(c.parameters(), lr=1.0), loader, criterion))

    d = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 3))
    groups = [{"params": d[0].parameters(), "lr": 1e-4}, {"params": d[2].parameters()}]
    print(run(d, torch.optim.AdamW(groups, lr=1e-3), loader, criterion))


if __name__ == "__main__":
    main()
