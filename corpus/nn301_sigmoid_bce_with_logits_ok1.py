# expect: none
"""BCEWithLogitsLoss on raw logits; the sigmoid is only used to compute accuracy."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


class Classifier(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        return self.net(x).squeeze(1)


def evaluate(model, loader):
    model.eval()
    correct = 0
    with torch.no_grad():
        for x, y in loader:
            probs = torch.sigmoid(model(x))
            correct += ((probs > 0.5).float() == y).sum().item()
    return correct / len(loader.dataset)


def main():
    torch.manual_seed(0)
    x = torch.randn(300, 16)
    y = (x.sum(dim=1) > 0).float()
    train_loader = DataLoader(TensorDataset(x[:240], y[:240]), batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(x[240:], y[240:]), batch_size=64)

    model = Classifier()
    criterion = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for epoch in range(2):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            logits = model(xb)
            loss = criterion(logits, yb)
            loss.backward()
            optimizer.step()
            train_acc = ((torch.sigmoid(logits) > 0.5).float() == yb).float().mean().item()
        print(f"epoch {epoch} train acc {train_acc:.3f} val acc {evaluate(model, val_loader):.3f}")


if __name__ == "__main__":
    main()
