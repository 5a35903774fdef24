# expect: NN402@22
# expect-dynamic: NN402
"""zero_grad is called once, before training starts, and never inside the loop that calls
backward() and step()."""
import argparse

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def train(model, loader, optimizer, epochs):
    criterion = nn.CrossEntropyLoss()
    optimizer.zero_grad()
    for epoch in range(epochs):
        model.train()
        correct = 0
        for tokens, labels in loader:
            logits = model(tokens)
            loss = criterion(logits, labels)
            loss.backward()
            optimizer.step()
            correct += (logits.argmax(dim=1) == labels).sum().item()
        print(f"epoch {epoch} acc {correct / len(loader.dataset):.3f}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    torch.manual_seed(0)
    tokens = torch.randint(0, 200, (256, 16))
    labels = torch.randint(0, 2, (256,))
    loader = DataLoader(TensorDataset(tokens, labels), batch_size=32, shuffle=True)
    model = nn.Sequential(nn.EmbeddingBag(200, 32), nn.Linear(32, 2))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    train(model, loader, optimizer, args.epochs)


if __name__ == "__main__":
    main()
