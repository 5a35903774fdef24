# expect: none
"""Per-iteration OneCycleLR stepped right after optimizer.step(), and a MultiStepLR stepped once
per epoch after the inner loop."""
import torch
import torch.nn as nn
from torch.optim.lr_scheduler import MultiStepLR, OneCycleLR
from torch.utils.data import DataLoader, TensorDataset


def main():
    torch.manual_seed(0)
    x = torch.randn(256, 16)
    y = torch.randint(0, 4, (256,))
    loader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True)
    criterion = nn.CrossEntropyLoss()

    model = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 4))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    batch_scheduler = OneCycleLR(optimizer, max_lr=0.1, total_steps=2 * len(loader))
    for epoch in range(2):
        model.train()
        for inputs, targets in loader:
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            optimizer.step()
            batch_scheduler.step()

    other = nn.Sequential(nn.Linear(16, 4))
    other_optimizer = torch.optim.Adam(other.parameters(), lr=1e-3)
    epoch_scheduler = MultiStepLR(other_optimizer, milestones=[1], gamma=0.1)
    for epoch in range(2):
        other.train()
        for inputs, targets in loader:
            other_optimizer.zero_grad()
            loss = criterion(other(inputs), targets)
            loss.backward()
            other_optimizer.step()
        epoch_scheduler.step()
        print(epoch, epoch_scheduler.get_last_lr())


if __name__ == "__main__":
    main()
