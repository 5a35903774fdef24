# expect: none
"""The pytorch/examples shape: train() starts with model.train(), test() starts with model.eval()."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(20, 64)
        self.dropout = nn.Dropout(0.3)
        self.fc2 = nn.Linear(64, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.dropout(F.relu(self.fc1(x))))


def train(model, loader, optimizer) -> float:
    model.train()
    running = 0.0
    for inputs, targets in loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(inputs), targets)
        loss.backward()
        optimizer.step()
        running += loss.item()
    return running / len(loader)


def test(model, loader) -> float:
    model.eval()
    correct = 0
    with torch.no_grad():
        for inputs, targets in loader:
            correct += (model(inputs).argmax(dim=1) == targets).sum().item()
    return correct / len(loader.dataset)


def main() -> None:
    torch.manual_seed(0)
    train_loader = DataLoader(
        TensorDataset(torch.randn(300, 20), torch.randint(0, 3, (300,))), batch_size=30, shuffle=True
    )
    test_loader = DataLoader(TensorDataset(torch.randn(90, 20), torch.randint(0, 3, (90,))), batch_size=90)
    model = Net()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(3):
        loss = train(model, train_loader, optimizer)
        print(f"epoch {epoch}: loss {loss:.4f} test acc {test(model, test_loader):.3f}")


if __name__ == "__main__":
    main()
