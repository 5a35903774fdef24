# expect: none
"""One epoch function for both phases, the phase an argument: `model.train(train)` puts the model in the
mode the phase asks for, so `run_epoch(..., train=False)` validates in eval mode."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def run_epoch(
    model: nn.Module,
    loader: DataLoader,
    criterion: nn.Module,
    optimizer: torch.optim.Optimizer,
    train: bool = True,
) -> float:
    model.train(train)
    total = 0.0
    for inputs, targets in loader:
        loss = criterion(model(inputs), targets)
        if train:
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        total += loss.item()
    return total / len(loader)


def main() -> None:
    torch.manual_seed(0)
    train_loader = DataLoader(TensorDataset(torch.randn(96, 8), torch.randn(96, 1)), batch_size=16, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.randn(32, 8), torch.randn(32, 1)), batch_size=16)
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Dropout(0.5), nn.Linear(32, 1))
    criterion = nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(2):
        train_loss = run_epoch(model, train_loader, criterion, optimizer)
        val_loss = run_epoch(model, val_loader, criterion, optimizer, train=False)
        print(f"epoch {epoch}: train {train_loss:.4f} val {val_loss:.4f}")


if __name__ == "__main__":
    main()
