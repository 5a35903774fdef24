# expect: none
"""Classic nn.Sigmoid at the end of the model with nn.BCELoss."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class SpamFilter(nn.Module):
    def __init__(self, vocab: int = 1000, dim: int = 32):
        super().__init__()
        self.bag = nn.EmbeddingBag(vocab, dim, mode="mean")
        self.classifier = nn.Sequential(nn.Linear(dim, 16), nn.ReLU(), nn.Linear(16, 1), nn.Sigmoid())

    def forward(self, tokens):
        return self.classifier(self.bag(tokens))


def main():
    torch.manual_seed(0)
    tokens = torch.randint(0, 1000, (256, 20))
    spam = torch.randint(0, 2, (256, 1)).float()
    loader = DataLoader(TensorDataset(tokens, spam), batch_size=32, shuffle=True)
    model = SpamFilter()
    criterion = nn.BCELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
    for epoch in range(2):
        model.train()
        epoch_loss = 0.0
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            epoch_loss += loss.item()
        print(epoch, epoch_loss / len(loader))


if __name__ == "__main__":
    main()
