# expect: none
"""Losses accumulated as Python numbers (.item(), float()) or detached tensors."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def main():
    torch.manual_seed(0)
    x = torch.randn(256, 32)
    y = torch.randint(0, 5, (256,))
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
    model = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 5))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    history = []
    for epoch in range(2):
        model.train()
        total_loss = 0.0
        smoothed = torch.zeros(())
        worst = 0.0
        for inputs, targets in loader:
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            optimizer.step()
            total_loss += loss.item()
            smoothed = 0.9 * smoothed + 0.1 * loss.detach()
            worst = max(worst, float(loss))
            history.append(loss.item())
        print(epoch, total_loss / len(loader), smoothed.item(), worst, len(history))


if __name__ == "__main__":
    main()
