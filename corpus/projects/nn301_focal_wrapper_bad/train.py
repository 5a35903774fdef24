# expect: NN301@28
"""Fraud detector: the network ends in a sigmoid, and its probabilities go to the focal loss,
which applies the sigmoid a second time inside binary_cross_entropy_with_logits."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from losses import BinaryFocalLoss


class FraudNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(12, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.layers(x))


if __name__ == "__main__":
    torch.manual_seed(0)
    loader = DataLoader(TensorDataset(torch.randn(64, 12), torch.randint(0, 2, (64,)).float()), batch_size=16, shuffle=True)
    net = FraudNet()
    criterion = BinaryFocalLoss(gamma=2.0)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(net(x), y)
        loss.backward()
        optimizer.step()
    print(loss.item())
