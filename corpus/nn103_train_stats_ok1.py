# expect: none
"""Tabular classifier: split first, then z-score every split with the training split's statistics."""
import argparse

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def standardize(train, *others):
    mean = train.mean(dim=0, keepdim=True)
    std = train.std(dim=0, keepdim=True).clamp_min(1e-6)
    return [(t - mean) / std for t in (train, *others)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()

    torch.manual_seed(0)
    X = torch.randn(1000, 12) * 3.0 + 5.0
    y = (X[:, 0] > 5.0).long()
    perm = torch.randperm(len(X))
    X, y = X[perm], y[perm]

    X_train, X_val = X[:800], X[800:]
    y_train, y_val = y[:800], y[800:]
    X_train, X_val = standardize(X_train, X_val)

    train_loader = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(X_val, y_val), batch_size=200)

    model = nn.Sequential(nn.Linear(12, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, 2))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(args.epochs):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            acc = sum((model(xb).argmax(1) == yb).float().mean().item() for xb, yb in val_loader)
        print(f"epoch {epoch}: val acc {acc / len(val_loader):.3f}")


if __name__ == "__main__":
    main()
