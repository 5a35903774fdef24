# expect: none
# expect-dynamic: NN809
"""Two-tower retrieval model: the item tower's output is detached "to save memory", so it never trains."""
import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class TwoTower(nn.Module):
    def __init__(self, dim: int = 32) -> None:
        super().__init__()
        self.user_tower = nn.Sequential(nn.Linear(16, dim), nn.ReLU(), nn.Linear(dim, dim))
        self.item_tower = nn.Sequential(nn.Linear(20, dim), nn.ReLU(), nn.Linear(dim, dim))

    def forward(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        u = self.user_tower(users)
        v = self.item_tower(items).detach()
        return (u * v).sum(dim=1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    generator = torch.Generator().manual_seed(0)
    users, items = torch.randn(1024, 16, generator=generator), torch.randn(1024, 20, generator=generator)
    clicks = (users[:, 0] * items[:, 0] > 0).float()
    loader = DataLoader(TensorDataset(users, items, clicks), batch_size=64, shuffle=True)
    model = TwoTower()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.BCEWithLogitsLoss()
    for epoch in range(args.epochs):
        model.train()
        for u, v, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(u, v), y)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: loss {loss.item():.3f}")


if __name__ == "__main__":
    main()
