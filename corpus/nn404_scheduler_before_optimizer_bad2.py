# expect: NN404@21
"""A Trainer with OneCycleLR whose train_step advances the schedule at the top of the step,
before the optimizer update."""
import torch
from torch import nn
from torch.optim import SGD
from torch.optim.lr_scheduler import OneCycleLR
from torch.utils.data import DataLoader, TensorDataset


class Trainer:
    def __init__(self, model: nn.Module, loader: DataLoader, epochs: int) -> None:
        self.model = model
        self.loader = loader
        self.epochs = epochs
        self.loss_fn = nn.CrossEntropyLoss()
        self.optimizer = SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True)
        self.lr_scheduler = OneCycleLR(self.optimizer, max_lr=0.1, total_steps=epochs * len(loader))

    def train_step(self, images, labels):
        self.lr_scheduler.step()
        self.optimizer.zero_grad()
        loss = self.loss_fn(self.model(images), labels)
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def fit(self):
        for epoch in range(self.epochs):
            self.model.train()
            total = 0.0
            for images, labels in self.loader:
                total += self.train_step(images, labels)
            print(f"epoch {epoch} loss {total / len(self.loader):.4f}")


if __name__ == "__main__":
    torch.manual_seed(0)
    images = torch.randn(128, 3, 8, 8)
    labels = torch.randint(0, 10, (128,))
    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 6 * 6, 10))
    loader = DataLoader(TensorDataset(images, labels), batch_size=16, shuffle=True)
    Trainer(model, loader, epochs=2).fit()
