# expect: NN104@19
"""Arrays shuffled in place by two separate np.random.shuffle calls: inputs and labels fall out of step."""
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def load_arrays(n: int = 800):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 20)).astype(np.float32)
    y = (X[:, :3].sum(axis=1) > 0).astype(np.int64)
    return X, y


def main():
    X, y = load_arrays()
    np.random.shuffle(X)
    np.random.shuffle(y)

    split = 640
    train_ds = TensorDataset(torch.from_numpy(X[:split]), torch.from_numpy(y[:split]))
    val_ds = TensorDataset(torch.from_numpy(X[split:]), torch.from_numpy(y[split:]))
    train_loader = DataLoader(train_ds, batch_size=32, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=160)

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
