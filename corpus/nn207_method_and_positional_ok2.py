# expect: none
"""dim given positionally (`F.log_softmax(x, 1)`, `nn.Softmax(-1)`) and the tensor-method form `x.softmax(-1)`."""
import math

import torch
import torch.nn.functional as F
from torch import nn


class AttentionPool(nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.query = nn.Parameter(torch.randn(dim) / math.sqrt(dim))
        self.norm = nn.Softmax(-1)

    def forward(self, h):
        weights = self.norm(h @ self.query)
        return (weights.unsqueeze(-1) * h).sum(dim=1)


class Classifier(nn.Module):
    def __init__(self, vocab=200, dim=32, n_classes=3):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.pool = AttentionPool(dim)
        self.head = nn.Linear(dim, n_classes)

    def forward(self, tokens):
        return F.log_softmax(self.head(self.pool(self.embed(tokens))), 1)


def main():
    torch.manual_seed(0)
    tokens = torch.randint(0, 200, (160, 20))
    labels = torch.randint(0, 3, (160,))
    model = Classifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(2):
        model.train()
        for idx in torch.randperm(160).split(16):
            optimizer.zero_grad()
            loss = F.nll_loss(model(tokens[idx]), labels[idx])
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            confidence = model(tokens[:32]).exp().max(dim=1).values.mean().item()
            entropy = -(model(tokens[:32]).exp() * model(tokens[:32])).sum(dim=1).mean().item()
            sharp = (model(tokens[:32]) * 2.0).softmax(-1).amax(dim=1).mean().item()
        print(f"epoch {epoch}: conf {confidence:.3f} entropy {entropy:.3f} sharpened {sharp:.3f}")


if __name__ == "__main__":
    main()
