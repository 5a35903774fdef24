# expect: NN201@37
# expect-dynamic: NN201
"""F.cross_entropy applied to torch.softmax(out, 1) inside a train_one_epoch helper."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


class ResidualBlock(nn.Module):
    def __init__(self, width: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(width, width)
        self.fc2 = nn.Linear(width, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.fc2(F.relu(self.fc1(x)))


class Net(nn.Module):
    def __init__(self, in_features: int = 24, width: int = 48, num_classes: int = 5) -> None:
        super().__init__()
        self.stem = nn.Linear(in_features, width)
        self.block = ResidualBlock(width)
        self.out = nn.Linear(width, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(F.relu(self.block(self.stem(x))))


def train_one_epoch(model: nn.Module, loader: DataLoader, optimizer: torch.optim.Optimizer) -> float:
    model.train()
    losses = []
    for x, y in loader:
        optimizer.zero_grad()
        out = model(x)
        loss = F.cross_entropy(torch.softmax(out, 1), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return sum(losses) / len(losses)


def main() -> None:
    torch.manual_seed(0)
    loader = DataLoader(
        TensorDataset(torch.randn(300, 24), torch.randint(0, 5, (300,))), batch_size=30, shuffle=True
    )
    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for epoch in range(2):
        print(f"epoch {epoch}: {train_one_epoch(model, loader, optimizer):.4f}")


if __name__ == "__main__":
    main()
