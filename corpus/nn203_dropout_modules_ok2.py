# expect: none
"""Dropout as nn.Dropout/nn.Dropout2d modules; a functional dropout augments inputs in the training loop only."""
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class ConvNet(nn.Module):
    def __init__(self, n_classes: int = 10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout2d(0.1)
        )
        self.drop = nn.Dropout(0.5)
        self.fc = nn.Linear(16 * 14 * 14, n_classes)

    def forward(self, x):
        x = torch.flatten(self.features(x), 1)
        return self.fc(self.drop(x))


def main():
    torch.manual_seed(0)
    loader = DataLoader(
        TensorDataset(torch.randn(192, 1, 28, 28), torch.randint(0, 10, (192,))), batch_size=32, shuffle=True
    )
    test_loader = DataLoader(TensorDataset(torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))), batch_size=64)
    model = ConvNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for epoch in range(1):
        model.train()
        for images, labels in loader:
            images = F.dropout(images, p=0.05, training=True)  # input-noise augmentation, training only
            optimizer.zero_grad()
            loss = F.cross_entropy(model(images), labels)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            for images, labels in test_loader:
                print("test loss", F.cross_entropy(model(images), labels).item())


if __name__ == "__main__":
    main()
