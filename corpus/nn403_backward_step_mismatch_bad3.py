# expect: NN403@27
# expect-dynamic: no-step
# expect-dynamic: no-step
"""A Trainer that backpropagates and then steps the learning-rate scheduler, mistaking it for the
optimizer: the optimizer itself is never stepped."""
import torch
import torch.nn as nn
from torch.optim.lr_scheduler import CosineAnnealingLR
from torch.utils.data import DataLoader, TensorDataset


class Trainer:
    def __init__(self, model, loader, epochs=2):
        self.model = model
        self.loader = loader
        self.epochs = epochs
        self.criterion = nn.CrossEntropyLoss()
        self.optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
        self.scheduler = CosineAnnealingLR(self.optimizer, T_max=epochs * len(loader))

    def train(self):
        for epoch in range(self.epochs):
            self.model.train()
            for x, y in self.loader:
                self.optimizer.zero_grad()
                loss = self.criterion(self.model(x), y)
                loss.backward()
                self.scheduler.step()
            print(epoch, loss.item(), self.scheduler.get_last_lr()[0])


if __name__ == "__main__":
    torch.manual_seed(0)
    data = TensorDataset(torch.randn(160, 12), torch.randint(0, 5, (160,)))
    loader = DataLoader(data, batch_size=16, shuffle=True)
    Trainer(nn.Sequential(nn.Linear(12, 32), nn.ReLU(), nn.Linear(32, 5)), loader).train()
