# expect: none
"""Trains models.ResidualMLP; its validation needs no eval() because the model has no Dropout/BatchNorm."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

from models import ResidualMLP


def validate(model, loader, criterion) -> float:
    total = 0.0
    with torch.no_grad():
        for xb, yb in loader:
            total += criterion(model(xb), yb).item()
    return total / len(loader)


def main() -> None:
    torch.manual_seed(0)
    train_loader = DataLoader(
        TensorDataset(torch.randn(256, 16), torch.randint(0, 4, (256,))), batch_size=32, shuffle=True
    )
    val_loader = DataLoader(TensorDataset(torch.randn(64, 16), torch.randint(0, 4, (64,))), batch_size=64)
    model = ResidualMLP()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(2):
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: loss {loss.item():.4f} val {validate(model, val_loader, criterion):.4f}")


if __name__ == "__main__":
    main()
