# expect: NN405@17
"""Running loss accumulated as a tensor (total_loss += loss): every iteration's graph stays
referenced until the epoch ends."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def train_one_epoch(model, loader, criterion, optimizer):
    model.train()
    total_loss = 0
    for inputs, targets in loader:
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total_loss += loss
    return total_loss / len(loader)


def main():
    torch.manual_seed(0)
    x = torch.randn(256, 32)
    y = torch.randint(0, 5, (256,))
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
    model = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 5))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(2):
        print(f"epoch {epoch} loss {float(train_one_epoch(model, loader, criterion, optimizer)):.4f}")


if __name__ == "__main__":
    main()
