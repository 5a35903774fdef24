# expect: none
"""Multi-label model trained with F.binary_cross_entropy_with_logits and a pos_weight; predictions
are thresholded through torch.sigmoid after the loss."""
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def main():
    torch.manual_seed(0)
    x = torch.randn(256, 24)
    y = torch.randint(0, 2, (256, 5)).float()
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
    model = nn.Sequential(nn.Linear(24, 48), nn.GELU(), nn.Linear(48, 5))
    pos_weight = torch.full((5,), 2.0)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    for epoch in range(2):
        model.train()
        f1_hits = 0.0
        for xb, yb in loader:
            optimizer.zero_grad()
            logits = model(xb)
            loss = F.binary_cross_entropy_with_logits(logits, yb, pos_weight=pos_weight)
            loss.backward()
            optimizer.step()
            predicted = torch.sigmoid(logits.detach()) >= 0.5
            f1_hits += (predicted & yb.bool()).sum().item()
        print(f"epoch {epoch} loss {loss.item():.4f} true positives {f1_hits:.0f}")


if __name__ == "__main__":
    main()
