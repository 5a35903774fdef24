# expect: none
"""Shuffled training loader; the validation and test loaders keep their order, which is fine."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset, random_split


def evaluate(model: nn.Module, loader: DataLoader, criterion: nn.Module) -> float:
    model.eval()
    total = 0.0
    with torch.no_grad():
        for xb, yb in loader:
            total += criterion(model(xb), yb).item()
    return total / len(loader)


def main() -> None:
    torch.manual_seed(0)
    x = torch.randn(600, 12)
    y = (x[:, 0] + x[:, 1] > 0).long()
    train_ds, val_ds, test_ds = random_split(TensorDataset(x, y), [400, 100, 100])

    train_loader = DataLoader(train_ds, batch_size=32, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=64)
    test_loader = DataLoader(test_ds, batch_size=64, shuffle=False)

    model = nn.Sequential(nn.Linear(12, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Linear(32, 2))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)

    for epoch in range(2):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: val loss {evaluate(model, val_loader, criterion):.4f}")
    print(f"test loss {evaluate(model, test_loader, criterion):.4f}")


if __name__ == "__main__":
    main()
