# expect: NN403@16
# expect-dynamic: no-step
# expect-dynamic: no-step
"""The loop computes gradients but never calls optimizer.step(): the weights never change."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def train_one_epoch(model, loader, criterion, optimizer):
    model.train()
    total = 0.0
    for features, target in loader:
        optimizer.zero_grad()
        loss = criterion(model(features), target)
        loss.backward()
        total += loss.item()
    return total / len(loader)


def main():
    torch.manual_seed(0)
    features = torch.randn(256, 8)
    target = torch.randint(0, 4, (256,))
    loader = DataLoader(TensorDataset(features, target), batch_size=32, shuffle=True)
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 4))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for epoch in range(2):
        print(epoch, train_one_epoch(model, loader, criterion, optimizer))


if __name__ == "__main__":
    main()
