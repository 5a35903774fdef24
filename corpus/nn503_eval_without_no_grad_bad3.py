# expect: NN503@30
# expect-dynamic: NN503
"""A Trainer whose validate() method puts the model in eval mode and iterates the validation
loader with gradients enabled."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class Trainer:
    def __init__(self, model, train_loader, val_loader):
        self.model = model
        self.train_loader = train_loader
        self.val_loader = val_loader
        self.criterion = nn.MSELoss()
        self.optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def train_epoch(self):
        self.model.train()
        for x, y in self.train_loader:
            self.optimizer.zero_grad()
            loss = self.criterion(self.model(x), y)
            loss.backward()
            self.optimizer.step()

    def validate(self):
        self.model.eval()
        errors = []
        for x, y in self.val_loader:
            errors.append(self.criterion(self.model(x), y).item())
        return sum(errors) / len(errors)

    def fit(self, epochs):
        for epoch in range(epochs):
            self.train_epoch()
            print(epoch, self.validate())


if __name__ == "__main__":
    torch.manual_seed(0)
    x = torch.randn(300, 8)
    y = torch.randn(300, 2)
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 2))
    trainer = Trainer(
        model,
        DataLoader(TensorDataset(x[:240], y[:240]), batch_size=24, shuffle=True),
        DataLoader(TensorDataset(x[240:], y[240:]), batch_size=60),
    )
    trainer.fit(2)
