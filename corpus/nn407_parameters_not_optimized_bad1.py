# expect: NN407@32
# expect-dynamic: NN407
"""Transfer learning: the optimizer is created over model.parameters() and only then is the
classifier head replaced, so the new head's weights are not in the optimizer."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class SmallResNet(nn.Module):
    def __init__(self, num_classes: int = 100) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU())
        self.block = nn.Sequential(nn.Conv2d(16, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU())
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, num_classes)

    def forward(self, x):
        x = self.stem(x)
        x = x + self.block(x)
        return self.fc(self.pool(x).flatten(1))


def main():
    torch.manual_seed(0)
    images = torch.randn(96, 3, 16, 16)
    labels = torch.randint(0, 5, (96,))
    loader = DataLoader(TensorDataset(images, labels), batch_size=16, shuffle=True)

    model = SmallResNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    model.fc = nn.Linear(model.fc.in_features, 5)
    criterion = nn.CrossEntropyLoss()

    for epoch in range(2):
        model.train()
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        print(epoch, loss.item())


if __name__ == "__main__":
    main()
