# expect: none
"""ReduceLROnPlateau stepped with the validation loss after the evaluation pass; a cosine
schedule is advanced after train_one_epoch returns."""
import torch
from torch import nn
from torch.optim.lr_scheduler import CosineAnnealingLR, ReduceLROnPlateau
from torch.utils.data import DataLoader, TensorDataset


def train_one_epoch(model, loader, criterion, optimizer):
    model.train()
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()


@torch.no_grad()
def evaluate(model, loader, criterion):
    model.eval()
    total = 0.0
    for x, y in loader:
        total += criterion(model(x), y).item() * len(x)
    return total / len(loader.dataset)


def main():
    torch.manual_seed(0)
    x = torch.randn(320, 16)
    y = torch.randint(0, 4, (320,))
    train_loader = DataLoader(TensorDataset(x[:256], y[:256]), batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(x[256:], y[256:]), batch_size=64)
    model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 4))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    plateau = ReduceLROnPlateau(optimizer, mode="min", patience=1, factor=0.5)
    cosine = CosineAnnealingLR(optimizer, T_max=3)
    for epoch in range(3):
        train_one_epoch(model, train_loader, criterion, optimizer)
        cosine.step()
        val_loss = evaluate(model, val_loader, criterion)
        plateau.step(val_loss)
        print(f"epoch {epoch} val loss {val_loss:.4f}")


if __name__ == "__main__":
    main()
