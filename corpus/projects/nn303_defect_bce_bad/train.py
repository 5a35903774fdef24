# expect: NN303@17
"""Trains DefectNet (models.py, linear head) with BCELoss; the output is clipped into (0, 1)
rather than passed through a sigmoid."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

from models import DefectNet


def train_one_epoch(model, loader, criterion, optimizer):
    model.train()
    total = 0.0
    for patches, labels in loader:
        optimizer.zero_grad()
        prob = model(patches).clip(0.0, 1.0)
        loss = criterion(prob, labels)
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total / len(loader)


def evaluate(model, loader):
    model.eval()
    hits = 0
    with torch.no_grad():
        for patches, labels in loader:
            hits += ((model(patches) > 0.5).float() == labels).sum().item()
    return hits / len(loader.dataset)


def main():
    torch.manual_seed(0)
    patches = torch.randn(160, 1, 12, 12)
    labels = torch.randint(0, 2, (160, 1)).float()
    train_loader = DataLoader(TensorDataset(patches[:128], labels[:128]), batch_size=16, shuffle=True)
    val_loader = DataLoader(TensorDataset(patches[128:], labels[128:]), batch_size=32)
    model = DefectNet()
    criterion = nn.BCELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(2):
        loss = train_one_epoch(model, train_loader, criterion, optimizer)
        print(epoch, loss, evaluate(model, val_loader))


if __name__ == "__main__":
    main()
