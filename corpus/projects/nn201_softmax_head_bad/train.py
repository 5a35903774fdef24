# expect: NN201@24
# expect-dynamic: NN201
"""Trains models.SmallResNetish with CrossEntropyLoss although its head already applies softmax."""
import argparse

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

from models import SmallResNetish


def build_loaders(batch_size: int):
    train = TensorDataset(torch.randn(192, 3, 16, 16), torch.randint(0, 10, (192,)))
    val = TensorDataset(torch.randn(64, 3, 16, 16), torch.randint(0, 10, (64,)))
    return DataLoader(train, batch_size=batch_size, shuffle=True), DataLoader(val, batch_size=batch_size)


def train_one_epoch(model, loader, criterion, optimizer) -> float:
    model.train()
    total = 0.0
    for images, labels in loader:
        optimizer.zero_grad()
        loss = criterion(model(images), labels)
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total / len(loader)


@torch.no_grad()
def validate(model, loader) -> float:
    model.eval()
    correct = 0
    for images, labels in loader:
        correct += (model(images).argmax(dim=1) == labels).sum().item()
    return correct / len(loader.dataset)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    torch.manual_seed(0)
    train_loader, val_loader = build_loaders(args.batch_size)
    model = SmallResNetish(num_classes=10)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    for epoch in range(args.epochs):
        loss = train_one_epoch(model, train_loader, criterion, optimizer)
        print(f"epoch {epoch}: loss {loss:.4f} val acc {validate(model, val_loader):.3f}")


if __name__ == "__main__":
    main()
