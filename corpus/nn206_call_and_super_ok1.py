# expect: none
"""Modules are called, never `.forward`-ed; a Sequential subclass delegates with super().forward(x)."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class Residual(nn.Sequential):
    def forward(self, x):
        return x + super().forward(x)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(20, 32)
        self.res = Residual(nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 32))
        self.out = nn.Linear(32, 5)

    def forward(self, x):
        return self.out(torch.relu(self.res(self.inp(x))))


def main():
    torch.manual_seed(0)
    loader = DataLoader(TensorDataset(torch.randn(320, 20), torch.randint(0, 5, (320,))), batch_size=32, shuffle=True)
    model = Net()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    for epoch in range(2):
        for data, target in loader:
            optimizer.zero_grad()
            loss = criterion(model(data), target)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: {loss.item():.4f}")


if __name__ == "__main__":
    main()
