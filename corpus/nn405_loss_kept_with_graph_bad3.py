# expect: NN405@24
"""A Trainer that keeps a running sum of the loss tensor on self (self.running_loss = self.running_loss + loss)."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class Trainer:
    def __init__(self, model, lr=1e-3):
        self.model = model
        self.criterion = nn.CrossEntropyLoss()
        self.optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
        self.running_loss = 0.0

    def fit(self, loader, epochs=2):
        for epoch in range(epochs):
            self.model.train()
            self.running_loss = 0.0
            for step, (x, y) in enumerate(loader):
                self.optimizer.zero_grad()
                loss = self.criterion(self.model(x), y)
                loss.backward()
                self.optimizer.step()
                self.running_loss = self.running_loss + loss
            print(f"epoch {epoch} mean loss {self.running_loss.item() / (step + 1):.4f}")


if __name__ == "__main__":
    torch.manual_seed(0)
    x = torch.randn(200, 10)
    y = torch.randint(0, 3, (200,))
    loader = DataLoader(TensorDataset(x, y), batch_size=20, shuffle=True)
    Trainer(nn.Sequential(nn.Linear(10, 30), nn.ReLU(), nn.Linear(30, 3))).fit(loader)
