# expect: none
"""`forward` on plain objects that are not nn.Modules (a preprocessing pipeline, a custom autograd Function)."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class Standardize:
    def __init__(self, mean: float, std: float):
        self.mean, self.std = mean, std

    def forward(self, batch):
        return (batch - self.mean) / self.std


class Temperature(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x / 2.0

    @staticmethod
    def backward(ctx, grad):
        return grad / 2.0


def main():
    torch.manual_seed(0)
    pipeline = Standardize(mean=2.0, std=4.0)
    loader = DataLoader(TensorDataset(torch.randn(256, 10) * 4.0 + 2.0, torch.randint(0, 2, (256,))), batch_size=32, shuffle=True)
    model = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 2))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    model.train()
    for epoch in range(2):
        for x, y in loader:
            x = pipeline.forward(x)
            optimizer.zero_grad()
            logits = Temperature.apply(model(x))
            loss = criterion(logits, y)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: {loss.item():.4f}")


if __name__ == "__main__":
    main()
