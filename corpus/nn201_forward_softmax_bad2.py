# expect: NN201@29
# expect-dynamic: NN201
"""A module whose forward returns F.softmax; the loss is CrossEntropyLoss imported under an alias."""
import argparse

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn import CrossEntropyLoss as CE
from torch.utils.data import DataLoader, TensorDataset


class TextClassifier(nn.Module):
    def __init__(self, vocab_size: int, embed_dim: int, num_classes: int) -> None:
        super().__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, embed_dim)
        self.fc = nn.Linear(embed_dim, num_classes)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        logits = self.fc(self.embedding(tokens))
        return F.softmax(logits, dim=1)


def train_epoch(model, loader, criterion, optimizer) -> float:
    model.train()
    total = 0.0
    for tokens, labels in loader:
        optimizer.zero_grad()
        loss = criterion(model(tokens), labels)
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total / len(loader)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--lr", type=float, default=0.1)
    args = parser.parse_args()
    torch.manual_seed(0)

    tokens = torch.randint(0, 1000, (384, 16))
    labels = torch.randint(0, 4, (384,))
    loader = DataLoader(TensorDataset(tokens, labels), batch_size=32, shuffle=True)
    model = TextClassifier(vocab_size=1000, embed_dim=32, num_classes=4)
    criterion = CE()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    for epoch in range(args.epochs):
        print(f"epoch {epoch}: loss {train_epoch(model, loader, criterion, optimizer):.4f}")


if __name__ == "__main__":
    main()
