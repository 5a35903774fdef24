# expect: none
"""Three legitimate ways to clear gradients: model.zero_grad() at the bottom of the loop, a
Trainer that sets p.grad = None, and zero_grad at the top of a helper's loop."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_loader():
    x = torch.randn(128, 10)
    y = torch.randint(0, 2, (128,))
    return DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True)


def train_bottom(model, loader, optimizer, criterion):
    model.train()
    for x, y in loader:
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        model.zero_grad()


class ManualTrainer:
    def __init__(self, model):
        self.model = model
        self.optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
        self.criterion = nn.CrossEntropyLoss()

    def run_epoch(self, loader):
        self.model.train()
        for x, y in loader:
            for p in self.model.parameters():
                p.grad = None
            loss = self.criterion(self.model(x), y)
            loss.backward()
            self.optimizer.step()


def train_top(model, loader, optimizer, criterion):
    model.train()
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()


def main():
    torch.manual_seed(0)
    loader = make_loader()
    criterion = nn.CrossEntropyLoss()
    first = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 2))
    train_bottom(first, loader, torch.optim.Adam(first.parameters(), lr=1e-3), criterion)
    second = nn.Sequential(nn.Linear(10, 2))
    ManualTrainer(second).run_epoch(loader)
    third = nn.Sequential(nn.Linear(10, 16), nn.Tanh(), nn.Linear(16, 2))
    train_top(third, loader, torch.optim.Adam(third.parameters(), lr=1e-3), criterion)
    print("done")


if __name__ == "__main__":
    main()
