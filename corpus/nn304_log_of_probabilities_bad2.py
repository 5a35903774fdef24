# expect: NN304@16
"""Focal-style binary loss written by hand with torch.log(torch.sigmoid(x)): large negative logits
make the sigmoid 0 in float32 and the loss infinite."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class FocalLoss(nn.Module):
    def __init__(self, gamma: float = 2.0) -> None:
        super().__init__()
        self.gamma = gamma

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        p = torch.sigmoid(logits)
        log_p = torch.log(torch.sigmoid(logits))
        log_not_p = torch.log1p(-p + 1e-6)
        loss = -target * (1 - p) ** self.gamma * log_p - (1 - target) * p ** self.gamma * log_not_p
        return loss.mean()


def main():
    torch.manual_seed(0)
    x = torch.randn(256, 12)
    y = torch.randint(0, 2, (256, 1)).float()
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
    model = nn.Sequential(nn.Linear(12, 24), nn.ReLU(), nn.Linear(24, 1))
    criterion = FocalLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(2):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch} loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
