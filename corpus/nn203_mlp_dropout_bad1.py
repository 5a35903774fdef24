# expect: NN203@21
# expect-dynamic: NN203
"""MLP whose forward uses F.dropout without tying it to the module's training flag."""
import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


class MLP(nn.Module):
    def __init__(self, in_features: int, hidden: int, n_classes: int, p: float = 0.3):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden)
        self.fc2 = nn.Linear(hidden, n_classes)
        self.p = p

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.dropout(x, p=self.p)
        return self.fc2(x)


def evaluate(model, loader):
    model.eval()
    correct = 0
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(dim=1) == y).sum().item()
    return correct / len(loader.dataset)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    torch.manual_seed(0)
    train_loader = DataLoader(
        TensorDataset(torch.randn(512, 20), torch.randint(0, 4, (512,))), batch_size=64, shuffle=True
    )
    val_loader = DataLoader(TensorDataset(torch.randn(128, 20), torch.randint(0, 4, (128,))), batch_size=128)
    model = MLP(20, 64, 4)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(args.epochs):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: val acc {evaluate(model, val_loader):.3f}")


if __name__ == "__main__":
    main()
