# expect: none
"""Linear head, with torch.sigmoid applied in the training step before F.binary_cross_entropy
(weighted per sample)."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


def main():
    torch.manual_seed(0)
    x = torch.randn(300, 10)
    y = torch.randint(0, 2, (300,)).float()
    w = torch.rand(300) + 0.5
    loader = DataLoader(TensorDataset(x, y, w), batch_size=30, shuffle=True)
    head = nn.Sequential(nn.Linear(10, 20), nn.ReLU(), nn.Linear(20, 1))
    optimizer = torch.optim.RMSprop(head.parameters(), lr=1e-3)

    for epoch in range(2):
        head.train()
        for xb, yb, wb in loader:
            optimizer.zero_grad()
            logits = head(xb).view(-1)
            probs = torch.sigmoid(logits)
            loss = F.binary_cross_entropy(probs, yb, weight=wb)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch} loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
