# expect: NN207@14
"""Reporting class probabilities with F.softmax(logits) and no dim."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


def evaluate(model, loader):
    model.eval()
    confidences = []
    with torch.no_grad():
        for x, _ in loader:
            probs = F.softmax(model(x))
            confidences.append(probs.max(dim=1).values.mean().item())
    model.train()
    return sum(confidences) / len(confidences)


def main():
    torch.manual_seed(0)
    train = DataLoader(TensorDataset(torch.randn(256, 16), torch.randint(0, 4, (256,))), batch_size=32, shuffle=True)
    val = DataLoader(TensorDataset(torch.randn(64, 16), torch.randint(0, 4, (64,))), batch_size=32)
    model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 4))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    for epoch in range(2):
        for x, y in train:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: mean confidence {evaluate(model, val):.3f}")


if __name__ == "__main__":
    main()
