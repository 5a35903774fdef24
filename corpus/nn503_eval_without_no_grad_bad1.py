# expect: NN503@23
# expect-dynamic: NN503
"""evaluate() switches to eval mode but runs the validation loop with autograd on, building a
graph for every batch."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def train_one_epoch(model, loader, criterion, optimizer):
    model.train()
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()


def evaluate(model, loader, criterion):
    model.eval()
    total_loss, correct = 0.0, 0
    for x, y in loader:
        logits = model(x)
        total_loss += criterion(logits, y).item() * len(x)
        correct += (logits.argmax(dim=1) == y).sum().item()
    n = len(loader.dataset)
    return total_loss / n, correct / n


def main():
    torch.manual_seed(0)
    x = torch.randn(320, 20)
    y = torch.randint(0, 4, (320,))
    train_loader = DataLoader(TensorDataset(x[:256], y[:256]), batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(x[256:], y[256:]), batch_size=64)
    model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Dropout(0.2), nn.Linear(64, 4))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(2):
        train_one_epoch(model, train_loader, criterion, optimizer)
        print(epoch, evaluate(model, val_loader, criterion))


if __name__ == "__main__":
    main()
