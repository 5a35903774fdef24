# expect: NN207@15
"""Attention pooling whose weights come from an `nn.Softmax()` built without dim."""
import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class AttentionPool(nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.query = nn.Parameter(torch.randn(dim) / math.sqrt(dim))
        self.softmax = nn.Softmax()

    def forward(self, h):
        scores = h @ self.query
        weights = self.softmax(scores)
        return (weights.unsqueeze(-1) * h).sum(dim=1)


class Classifier(nn.Module):
    def __init__(self, vocab=200, dim=32, n_classes=3):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.pool = AttentionPool(dim)
        self.head = nn.Linear(dim, n_classes)

    def forward(self, tokens):
        return self.head(self.pool(self.embed(tokens)))


def main():
    torch.manual_seed(0)
    loader = DataLoader(TensorDataset(torch.randint(0, 200, (160, 20)), torch.randint(0, 3, (160,))), batch_size=16, shuffle=True)
    model = Classifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    for epoch in range(2):
        for tokens, labels in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(tokens), labels)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: {loss.item():.4f}")


if __name__ == "__main__":
    main()
