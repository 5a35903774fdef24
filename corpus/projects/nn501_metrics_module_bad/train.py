# expect: NN501@32
"""A text-classifier-like MLP with dropout; the final accuracies come from metrics.evaluate_model while
the model is still in training mode."""
import torch
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

from metrics import evaluate_model


class Classifier(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Dropout(0.5), nn.Linear(32, 4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


if __name__ == "__main__":
    data = TensorDataset(torch.randn(64, 10), torch.randint(0, 4, (64,)))
    loader = DataLoader(data, batch_size=8, shuffle=True)
    model = Classifier()
    model.train()
    optimizer = optim.SGD(model.parameters(), lr=0.01)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(2):
        for x, y in loader:
            optimizer.zero_grad()
            criterion(model(x), y).backward()
            optimizer.step()
    train_acc = evaluate_model(model, loader)
    print(f"accuracy {train_acc:.3f}")
