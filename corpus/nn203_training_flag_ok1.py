# expect: none
"""Functional dropout tied to `self.training`, so model.eval() turns it off."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


class MLP(nn.Module):
    def __init__(self, in_features: int, hidden: int, n_classes: int, p: float = 0.3):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.head = nn.Linear(hidden, n_classes)
        self.p = p

    def forward(self, x):
        x = F.dropout(F.relu(self.fc1(x)), p=self.p, training=self.training)
        x = F.alpha_dropout(F.selu(self.fc2(x)), self.p, self.training)
        return self.head(x)


def main():
    torch.manual_seed(0)
    train_loader = DataLoader(
        TensorDataset(torch.randn(512, 20), torch.randint(0, 4, (512,))), batch_size=64, shuffle=True
    )
    val_loader = DataLoader(TensorDataset(torch.randn(128, 20), torch.randint(0, 4, (128,))), batch_size=128)
    model = MLP(20, 64, 4)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(2):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            acc = sum((model(x).argmax(1) == y).float().mean().item() for x, y in val_loader)
        print(f"epoch {epoch}: val acc {acc:.3f}")


if __name__ == "__main__":
    main()
