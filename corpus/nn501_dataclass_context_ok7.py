# expect: none
"""The training objects travel in a dataclass: train() takes the model out of the context and puts it in
training mode each epoch; validate() puts context.model in eval mode before scoring it."""
from dataclasses import dataclass

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class Classifier(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Dropout(0.3), nn.Linear(32, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


@dataclass
class Context:
    model: Classifier
    optimizer: torch.optim.Optimizer
    train_loader: DataLoader
    val_loader: DataLoader


def validate(context: Context) -> float:
    correct, seen = 0, 0
    context.model.eval()
    with torch.no_grad():
        for x, y in context.val_loader:
            predicted = context.model(x).argmax(dim=1)
            correct += (predicted == y).sum().item()
            seen += len(y)
    return correct / seen


def train(context: Context, epochs: int = 2) -> None:
    model = context.model
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(epochs):
        model.train()
        for x, y in context.train_loader:
            context.optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            context.optimizer.step()
        print(f"epoch {epoch}: val accuracy {validate(context):.3f}")


def main() -> None:
    torch.manual_seed(0)
    x, y = torch.randn(96, 10), torch.randint(0, 3, (96,))
    model = Classifier()
    context = Context(
        model,
        torch.optim.SGD(model.parameters(), lr=0.1),
        DataLoader(TensorDataset(x[:64], y[:64]), batch_size=16, shuffle=True),
        DataLoader(TensorDataset(x[64:], y[64:]), batch_size=16),
    )
    train(context)


if __name__ == "__main__":
    main()
