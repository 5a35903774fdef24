# expect: none
"""ResNet stem (MaxPool2d(3, stride=2, padding=1)), AlexNet-style overlapping pooling and stride == kernel."""
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset


class Stem(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn = nn.BatchNorm2d(16)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.avg = nn.AvgPool2d(kernel_size=2, stride=2)
        self.fc = nn.Linear(16 * 4 * 4, 4)

    def forward(self, x):
        x = self.maxpool(torch.relu(self.bn(self.conv(x))))
        x = F.avg_pool2d(x, 3, 2, 1)
        x = self.avg(x)
        return self.fc(torch.flatten(x, 1))


def main():
    torch.manual_seed(0)
    train_loader = DataLoader(TensorDataset(torch.randn(64, 3, 64, 64), torch.randint(0, 4, (64,))), batch_size=16, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.randn(32, 3, 64, 64), torch.randint(0, 4, (32,))), batch_size=32)
    model = Stem()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(2):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            criterion(model(x), y).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            print(epoch, sum(criterion(model(x), y).item() for x, y in val_loader))


if __name__ == "__main__":
    main()
