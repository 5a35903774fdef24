# expect: none
"""Functional dropout that only runs under `if self.training` (word dropout on embeddings)."""
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class WordDropoutClassifier(nn.Module):
    def __init__(self, vocab: int = 300, dim: int = 32, n_classes: int = 2, word_dropout: float = 0.1):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.head = nn.Linear(dim, n_classes)
        self.word_dropout = word_dropout

    def forward(self, tokens):
        emb = self.embed(tokens)
        if self.training and self.word_dropout > 0:
            emb = F.dropout1d(emb, self.word_dropout)
        return self.head(emb.mean(dim=1))


def main():
    torch.manual_seed(0)
    train_loader = DataLoader(TensorDataset(torch.randint(0, 300, (200, 16)), torch.randint(0, 2, (200,))), batch_size=20, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.randint(0, 300, (40, 16)), torch.randint(0, 2, (40,))), batch_size=40)
    model = WordDropoutClassifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(2):
        model.train()
        for tokens, labels in train_loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(tokens), labels)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            tokens, labels = next(iter(val_loader))
            print(f"epoch {epoch}: val loss {F.cross_entropy(model(tokens), labels).item():.4f}")


if __name__ == "__main__":
    main()
