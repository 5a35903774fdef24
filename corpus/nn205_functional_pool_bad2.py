# expect: NN205@18
"""A forward that calls F.max_pool2d with kernel_size=2 and stride=4."""
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.fc = nn.Linear(16 * 7 * 7, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.max_pool2d(x, kernel_size=2, stride=4)
        x = F.relu(self.conv2(x))
        return self.fc(torch.flatten(x, 1))


def train_one_epoch(model, loader, optimizer):
    model.train()
    for data, target in loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(data), target)
        loss.backward()
        optimizer.step()
    return loss.item()


def evaluate(model, loader):
    model.eval()
    with torch.no_grad():
        correct = sum((model(d).argmax(1) == t).sum().item() for d, t in loader)
    return correct / len(loader.dataset)


def main():
    torch.manual_seed(0)
    train_loader = DataLoader(TensorDataset(torch.randn(128, 1, 28, 28), torch.randint(0, 10, (128,))), batch_size=32, shuffle=True)
    test_loader = DataLoader(TensorDataset(torch.randn(32, 1, 28, 28), torch.randint(0, 10, (32,))), batch_size=32)
    model = Net()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(1):
        print(train_one_epoch(model, train_loader, optimizer), evaluate(model, test_loader))


if __name__ == "__main__":
    main()
