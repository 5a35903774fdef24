# expect: none
"""Mode switching through a helper that calls model.train(False) / model.train(True)."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def set_mode(model: nn.Module, training: bool) -> None:
    model.train(training)


def run_validation(model: nn.Module, loader: DataLoader) -> float:
    set_mode(model, training=False)
    correct = 0
    with torch.no_grad():
        for xb, yb in loader:
            correct += (model(xb).argmax(dim=1) == yb).sum().item()
    set_mode(model, training=True)
    return correct / len(loader.dataset)


def main() -> None:
    torch.manual_seed(0)
    train_loader = DataLoader(
        TensorDataset(torch.randn(256, 12), torch.randint(0, 3, (256,))), batch_size=32, shuffle=True
    )
    val_loader = DataLoader(TensorDataset(torch.randn(64, 12), torch.randint(0, 3, (64,))), batch_size=64)
    model = nn.Sequential(nn.Linear(12, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 3))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    set_mode(model, training=True)
    for epoch in range(2):
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: loss {loss.item():.4f} val acc {run_validation(model, val_loader):.3f}")


if __name__ == "__main__":
    main()
