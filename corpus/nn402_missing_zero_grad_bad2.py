# expect: NN402@33
# expect-dynamic: NN402
"""Trainer class whose train_step backpropagates and steps but never zeroes the gradients."""
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class ConvNet(nn.Module):
    def __init__(self, num_classes: int = 4) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.fc = nn.Linear(8, num_classes)

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x)))
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(x)


class Trainer:
    def __init__(self, model, optimizer):
        self.model = model
        self.optimizer = optimizer
        self.criterion = nn.CrossEntropyLoss(label_smoothing=0.1)

    def train_step(self, images, labels):
        logits = self.model(images)
        loss = self.criterion(logits, labels)
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def fit(self, loader, epochs):
        for epoch in range(epochs):
            self.model.train()
            losses = [self.train_step(images, labels) for images, labels in loader]
            print(epoch, sum(losses) / max(len(losses), 1))


def main():
    torch.manual_seed(0)
    images = torch.randn(128, 3, 16, 16)
    labels = torch.randint(0, 4, (128,))
    loader = DataLoader(TensorDataset(images, labels), batch_size=16, shuffle=True)
    model = ConvNet()
    trainer = Trainer(model, torch.optim.Adam(model.parameters(), lr=1e-3))
    trainer.fit(loader, epochs=2)


if __name__ == "__main__":
    main()
