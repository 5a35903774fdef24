# expect: none
"""Evaluation in a context manager that switches to eval mode and restores the previous mode, plus a
final test pass with model.eval() followed by torch.inference_mode()."""
from contextlib import contextmanager

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


@contextmanager
def evaluating(model: nn.Module):
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)


def main() -> None:
    torch.manual_seed(0)
    x = torch.randn(420, 8)
    y = (x[:, :2].sum(dim=1) > 0).long()
    train_loader = DataLoader(TensorDataset(x[:300], y[:300]), batch_size=30, shuffle=True)
    val_loader = DataLoader(TensorDataset(x[300:360], y[300:360]), batch_size=60)
    test_loader = DataLoader(TensorDataset(x[360:], y[360:]), batch_size=60)

    model = nn.Sequential(nn.Linear(8, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.25), nn.Linear(32, 2))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    for epoch in range(2):
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        with evaluating(model), torch.no_grad():
            val_loss = sum(criterion(model(xb), yb).item() for xb, yb in val_loader)
        print(f"epoch {epoch}: val loss {val_loss:.4f}")

    model.eval()
    with torch.inference_mode():
        correct = sum((model(xb).argmax(1) == yb).sum().item() for xb, yb in test_loader)
    print(f"test acc {correct / 60:.3f}")


if __name__ == "__main__":
    main()
