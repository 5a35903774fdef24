# expect: NN301@32
# expect-dynamic: NN301
"""Multi-label tagging: the training step applies torch.sigmoid before the functional
binary_cross_entropy_with_logits."""
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

NUM_TAGS = 8


class Tagger(nn.Module):
    def __init__(self, vocab: int = 500, dim: int = 32) -> None:
        super().__init__()
        self.embedding = nn.EmbeddingBag(vocab, dim)
        self.hidden = nn.Linear(dim, dim)
        self.head = nn.Linear(dim, NUM_TAGS)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.hidden(self.embedding(tokens)))
        return self.head(h)


def train_one_epoch(model, loader, optimizer):
    model.train()
    total = 0.0
    for tokens, tags in loader:
        optimizer.zero_grad()
        logits = model(tokens)
        probs = torch.sigmoid(logits)
        loss = F.binary_cross_entropy_with_logits(probs, tags)
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total / len(loader)


def main():
    torch.manual_seed(0)
    tokens = torch.randint(0, 500, (320, 12))
    tags = torch.randint(0, 2, (320, NUM_TAGS)).float()
    loader = DataLoader(TensorDataset(tokens, tags), batch_size=32, shuffle=True)
    model = Tagger()
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.01)
    for epoch in range(2):
        print(epoch, train_one_epoch(model, loader, optimizer))


if __name__ == "__main__":
    main()
