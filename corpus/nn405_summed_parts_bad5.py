# expect: NN405@34
"""A multi-task model returns its losses as a tuple; the trainer sums them for the backward and keeps the
tuple for logging, so every batch's autograd graph stays alive until the epoch's history is dropped."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class TwoTaskNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(6, 16), nn.ReLU())
        self.classify = nn.Linear(16, 3)
        self.regress = nn.Linear(16, 1)

    def forward(self, x: torch.Tensor) -> tuple:
        features = self.trunk(x)
        return self.classify(features), self.regress(features)

    def calculate_loss(self, x: torch.Tensor, labels: torch.Tensor, targets: torch.Tensor) -> tuple:
        logits, value = self(x)
        return nn.functional.cross_entropy(logits, labels), nn.functional.mse_loss(value, targets)


def train_epoch(model: TwoTaskNet, optimizer: torch.optim.Optimizer, loader: DataLoader) -> list:
    model.train()
    history = []
    for x, labels, targets in loader:
        optimizer.zero_grad()
        losses = model.calculate_loss(x, labels, targets)
        loss = sum(losses) if isinstance(losses, tuple) else losses
        loss.backward()
        optimizer.step()
        history.append(losses)
    return history


def main() -> None:
    torch.manual_seed(0)
    x = torch.randn(48, 6)
    labels = torch.randint(0, 3, (48,))
    targets = x.sum(dim=1, keepdim=True)
    loader = DataLoader(TensorDataset(x, labels, targets), batch_size=12, shuffle=True)
    model = TwoTaskNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for epoch in range(2):
        history = train_epoch(model, optimizer, loader)
        print(f"epoch {epoch}: {[round(sum(float(l) for l in parts), 4) for parts in history][-1]}")


if __name__ == "__main__":
    main()
