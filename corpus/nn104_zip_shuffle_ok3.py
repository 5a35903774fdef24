# expect: none
"""Parallel lists zipped into pairs, shuffled once, then unzipped."""
import random

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def main():
    random.seed(0)
    torch.manual_seed(0)
    sentences = [torch.randint(0, 100, (12,)) for _ in range(300)]
    tags = [int(s.sum().item()) % 2 for s in sentences]

    pairs = list(zip(sentences, tags))
    random.shuffle(pairs)
    sentences, tags = zip(*pairs)

    tokens = torch.stack(sentences)
    targets = torch.tensor(tags)
    loader = DataLoader(TensorDataset(tokens[:240], targets[:240]), batch_size=24, shuffle=True)

    model = nn.Sequential(nn.Embedding(100, 16), nn.Flatten(), nn.Linear(16 * 12, 2))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    model.train()
    for epoch in range(2):
        total = 0.0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item()
        print(f"epoch {epoch}: loss {total / len(loader):.4f}")


if __name__ == "__main__":
    main()
