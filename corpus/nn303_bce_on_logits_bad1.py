# expect: NN303@26
"""Fraud detector trained with nn.BCELoss on the raw output of a linear layer. The author hit
"all elements of input should be between 0 and 1" and clamped the scores instead of adding a
sigmoid."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def main():
    torch.manual_seed(0)
    x = torch.randn(400, 30)
    y = (x[:, :3].sum(dim=1) > 1.0).float().unsqueeze(1)
    loader = DataLoader(TensorDataset(x, y), batch_size=50, shuffle=True)

    model = nn.Sequential(nn.Linear(30, 64), nn.ReLU(), nn.Linear(64, 1))
    criterion = nn.BCELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    for epoch in range(2):
        model.train()
        total = 0.0
        for xb, yb in loader:
            optimizer.zero_grad()
            scores = model(xb).clamp(1e-6, 1 - 1e-6)
            loss = criterion(scores, yb)
            loss.backward()
            optimizer.step()
            total += loss.item()
        print(f"epoch {epoch}: {total / len(loader):.4f}")


if __name__ == "__main__":
    main()
