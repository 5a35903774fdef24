# expect: none
"""A plain MLP without Dropout or BatchNorm: train and eval modes behave the same, so no eval() is needed."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


class PlainMLP(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(16, 32)
        self.fc2 = nn.Linear(32, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.relu(self.fc1(x)))


def evaluate(model: nn.Module, loader: DataLoader) -> float:
    total = 0.0
    with torch.no_grad():
        for xb, yb in loader:
            total += F.cross_entropy(model(xb), yb, reduction="sum").item()
    return total / len(loader.dataset)


def main() -> None:
    torch.manual_seed(0)
    train_loader = DataLoader(
        TensorDataset(torch.randn(256, 16), torch.randint(0, 4, (256,))), batch_size=32, shuffle=True
    )
    val_loader = DataLoader(TensorDataset(torch.randn(64, 16), torch.randint(0, 4, (64,))), batch_size=32)
    model = PlainMLP()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for epoch in range(2):
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: val loss {evaluate(model, val_loader):.4f}")


if __name__ == "__main__":
    main()
