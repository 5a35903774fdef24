# expect: none
"""One shuffled index array reorders both arrays, so inputs and labels stay paired."""
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def main():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(800, 20)).astype(np.float32)
    y = (X[:, :3].sum(axis=1) > 0).astype(np.int64)

    indices = np.arange(len(X))
    np.random.shuffle(indices)
    X, y = X[indices], y[indices]

    train_loader = DataLoader(TensorDataset(torch.from_numpy(X[:640]), torch.from_numpy(y[:640])), batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(X[640:]), torch.from_numpy(y[640:])), batch_size=160)

    model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 2))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(2):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            xb, yb = next(iter(val_loader))
            acc = (model(xb).argmax(dim=1) == yb).float().mean().item()
        print(f"epoch {epoch}: val acc {acc:.3f}")


if __name__ == "__main__":
    main()
