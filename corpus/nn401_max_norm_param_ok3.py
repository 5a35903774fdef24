# expect: none
"""train_one_epoch takes max_norm as a parameter and clips only when it is positive; callers pass 0."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


def train_one_epoch(model, loader, optimizer, max_norm: float = 0.0) -> float:
    model.train()
    total = 0.0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        if max_norm > 0:
            grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
            print(f"grad norm before clipping {grad_norm.item():.3f}")
        optimizer.step()
        total += loss.item()
    return total / len(loader)


def main() -> None:
    torch.manual_seed(0)
    loader = DataLoader(
        TensorDataset(torch.randn(200, 8), torch.randint(0, 2, (200,))), batch_size=25, shuffle=True
    )
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    for epoch in range(2):
        print(f"epoch {epoch}: {train_one_epoch(model, loader, optimizer):.4f}")


if __name__ == "__main__":
    main()
