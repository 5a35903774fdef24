# expect: NN406@37
# expect-dynamic: NN810
"""Adam given a learning rate of 0.5 positionally (through `from torch.optim import Adam`)."""
import torch
from torch import nn
from torch.optim import Adam
from torch.utils.data import DataLoader, TensorDataset


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(12, 24), nn.ReLU(), nn.Linear(24, 2))

    def forward(self, x):
        return self.layers(x)


def train(model, loader, optimizer, epochs=2):
    criterion = nn.CrossEntropyLoss()
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            total += loss.item()
        print(epoch, total / len(loader))


if __name__ == "__main__":
    torch.manual_seed(0)
    data = TensorDataset(torch.randn(200, 12), torch.randint(0, 2, (200,)))
    model = MLP()
    train(model, DataLoader(data, batch_size=20, shuffle=True), Adam(model.parameters(), 0.5))
