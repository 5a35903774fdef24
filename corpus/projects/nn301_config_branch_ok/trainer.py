# expect: none
"""A tabular trainer whose binary mode squashes the network's output with a sigmoid before the loss; the
focal loss, which applies the sigmoid itself, runs only in the "focal" mode, where the output stays
logits: the sigmoid branch and the focal branch never meet."""
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from losses import TwoColumnFocalLoss


class TabularTrainer(nn.Module):
    def __init__(self, n_features: int, method: str = "binary") -> None:
        super().__init__()
        self.method = method
        self.net = nn.Sequential(nn.Linear(n_features, 32), nn.ReLU(), nn.Linear(32, 1))
        self.optimizer = torch.optim.Adam(self.net.parameters(), lr=1e-3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)

    def _activation(self, out: torch.Tensor) -> torch.Tensor:
        if self.method == "binary":
            return torch.sigmoid(out)
        return out

    def _loss(self, y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
        if self.method == "focal":
            return TwoColumnFocalLoss(0.25, 2.0)(y_pred, y_true)
        if self.method == "binary":
            return F.binary_cross_entropy(y_pred, y_true.view(-1, 1))
        return F.mse_loss(y_pred, y_true.view(-1, 1))

    def fit(self, loader: DataLoader, epochs: int = 2) -> None:
        self.train()
        for _ in range(epochs):
            for x, y in loader:
                self.optimizer.zero_grad()
                y_pred = self._activation(self.forward(x))
                loss = self._loss(y_pred, y)
                loss.backward()
                self.optimizer.step()


if __name__ == "__main__":
    torch.manual_seed(0)
    data = TensorDataset(torch.randn(64, 10), torch.randint(0, 2, (64,)).float())
    trainer = TabularTrainer(10, method="focal")
    trainer.fit(DataLoader(data, batch_size=16, shuffle=True))
