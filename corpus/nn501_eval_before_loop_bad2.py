# expect: NN501@27
# expect-dynamic: NN501
"""model.eval() is called once for a baseline check before the loop; each epoch then calls model.train()
and validates without switching back to eval mode."""
import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class Classifier(nn.Module):
    def __init__(self, in_features: int, num_classes: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(in_features, 48)
        self.drop = nn.Dropout(0.3)
        self.fc2 = nn.Linear(48, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.drop(torch.relu(self.fc1(x))))


@torch.no_grad()
def accuracy(model: nn.Module, loader: DataLoader) -> float:
    correct = 0
    for xb, yb in loader:
        correct += (model(xb).argmax(dim=1) == yb).sum().item()
    return correct / len(loader.dataset)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    torch.manual_seed(0)
    train_loader = DataLoader(
        TensorDataset(torch.randn(320, 10), torch.randint(0, 4, (320,))), batch_size=32, shuffle=True
    )
    val_loader = DataLoader(TensorDataset(torch.randn(80, 10), torch.randint(0, 4, (80,))), batch_size=40)
    model = Classifier(10, 4)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)

    model.eval()
    print(f"untrained val acc {accuracy(model, val_loader):.3f}")

    for epoch in range(args.epochs):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: loss {loss.item():.4f} val acc {accuracy(model, val_loader):.3f}")


if __name__ == "__main__":
    main()
