# expect: NN101@21
# expect-dynamic: NN101
"""MLP on synthetic tabular data; `make_loaders` builds the training loader with shuffle=False."""
import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_dataset(n: int, num_features: int, num_classes: int) -> TensorDataset:
    x = torch.randn(n, num_features)
    y = torch.randint(0, num_classes, (n,))
    order = torch.argsort(y)  # records arrive grouped by label, as in many exported tables
    return TensorDataset(x[order], y[order])


def make_loaders(batch_size: int, num_classes: int):
    train_ds = make_dataset(384, 20, num_classes)
    val_ds = make_dataset(128, 20, num_classes)
    train_loader = DataLoader(train_ds, batch_size=batch_size, shuffle=False, drop_last=True)
    val_loader = DataLoader(val_ds, batch_size=batch_size)
    return train_loader, val_loader


def train_one_epoch(model, loader, criterion, optimizer):
    model.train()
    total = 0.0
    for inputs, targets in loader:
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total / len(loader)


def evaluate(model, loader):
    model.eval()
    correct = 0
    with torch.no_grad():
        for inputs, targets in loader:
            correct += (model(inputs).argmax(dim=1) == targets).sum().item()
    return correct / len(loader.dataset)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    args = parser.parse_args()

    torch.manual_seed(0)
    num_classes = 5
    train_loader, val_loader = make_loaders(args.batch_size, num_classes)
    model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, num_classes))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    for epoch in range(args.epochs):
        loss = train_one_epoch(model, train_loader, criterion, optimizer)
        acc = evaluate(model, val_loader)
        print(f"epoch {epoch}: train loss {loss:.4f} val acc {acc:.3f}")


if __name__ == "__main__":
    main()
