# expect: NN203@22
# expect-dynamic: NN203
"""pytorch/examples-style MNIST net with channel dropout through a functional alias."""
import torch
from torch import nn
from torch.nn import functional as fn
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, 1)
        self.conv2 = nn.Conv2d(16, 32, 3, 1)
        self.fc1 = nn.Linear(32 * 12 * 12, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = fn.relu(self.conv1(x))
        x = fn.relu(self.conv2(x))
        x = fn.max_pool2d(x, 2)
        x = fn.dropout2d(x, 0.25)
        x = torch.flatten(x, 1)
        x = fn.relu(self.fc1(x))
        return self.fc2(x)


def train(model, loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        loss = fn.cross_entropy(model(data), target)
        loss.backward()
        optimizer.step()
        if batch_idx % 4 == 0:
            print(f"epoch {epoch} batch {batch_idx}: {loss.item():.4f}")


def test(model, loader):
    model.eval()
    test_loss = 0.0
    with torch.no_grad():
        for data, target in loader:
            test_loss += fn.cross_entropy(model(data), target, reduction="sum").item()
    return test_loss / len(loader.dataset)


def main():
    torch.manual_seed(1)
    train_loader = DataLoader(
        TensorDataset(torch.randn(256, 1, 28, 28), torch.randint(0, 10, (256,))), batch_size=32, shuffle=True
    )
    test_loader = DataLoader(TensorDataset(torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))), batch_size=64)
    model = Net()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(1):
        train(model, train_loader, optimizer, epoch)
        print("test loss", test(model, test_loader))


if __name__ == "__main__":
    main()
