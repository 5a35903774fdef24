# expect: none
"""Sequence tagger whose loss is summed over time steps inside each batch (the graph is needed for
backward), while the epoch statistics are kept as Python floats."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

STEPS, TAGS = 10, 5


class Tagger(nn.Module):
    def __init__(self, vocab: int = 200, dim: int = 32) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.rnn = nn.GRU(dim, dim, batch_first=True)
        self.out = nn.Linear(dim, TAGS)

    def forward(self, tokens):
        hidden, _ = self.rnn(self.embed(tokens))
        return self.out(hidden)


def main():
    torch.manual_seed(0)
    tokens = torch.randint(0, 200, (96, STEPS))
    tags = torch.randint(0, TAGS, (96, STEPS))
    loader = DataLoader(TensorDataset(tokens, tags), batch_size=12, shuffle=True)
    model = Tagger()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    for epoch in range(2):
        model.train()
        epoch_loss = 0.0
        for x, y in loader:
            optimizer.zero_grad()
            scores = model(x)
            loss = 0
            for t in range(STEPS):
                loss = loss + criterion(scores[:, t], y[:, t])
            loss = loss / STEPS
            loss.backward()
            optimizer.step()
            epoch_loss += loss.item()
        print(epoch, epoch_loss / len(loader))


if __name__ == "__main__":
    main()
