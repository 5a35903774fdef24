# expect: NN204@20
# expect-dynamic: NN204
"""Conv filters initialised with `weight.data.fill_(0.01)`: every filter computes the same feature."""
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class SmallCNN(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=3, padding=1)
        self.fc = nn.Linear(32, n_classes)
        self._init_weights()

    def _init_weights(self):
        for layer in (self.conv1, self.conv2):
            layer.weight.data.fill_(0.01)
            layer.bias.data.zero_()

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.relu(self.conv2(x))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


def main():
    torch.manual_seed(0)
    train = DataLoader(TensorDataset(torch.randn(160, 3, 16, 16), torch.randint(0, 10, (160,))), batch_size=32, shuffle=True)
    val = DataLoader(TensorDataset(torch.randn(64, 3, 16, 16), torch.randint(0, 10, (64,))), batch_size=64)
    model = SmallCNN()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(2):
        model.train()
        for x, y in train:
            optimizer.zero_grad()
            F.cross_entropy(model(x), y).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            print(epoch, sum(F.cross_entropy(model(x), y).item() for x, y in val))


if __name__ == "__main__":
    main()
