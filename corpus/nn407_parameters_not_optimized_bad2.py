# expect: NN407@36
# expect-dynamic: NN407
"""The optimizer only holds the head (model.classifier.parameters()) although the encoder was
never frozen: the encoder computes gradients that no optimizer applies."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class SentimentModel(nn.Module):
    def __init__(self, vocab=400, dim=32):
        super().__init__()
        self.encoder = nn.Sequential(nn.EmbeddingBag(vocab, dim), nn.Linear(dim, dim), nn.ReLU())
        self.classifier = nn.Linear(dim, 2)

    def forward(self, tokens):
        return self.classifier(self.encoder(tokens))


def train_one_epoch(model, loader, criterion, optimizer):
    model.train()
    for tokens, labels in loader:
        optimizer.zero_grad()
        loss = criterion(model(tokens), labels)
        loss.backward()
        optimizer.step()
    return loss.item()


def main():
    torch.manual_seed(0)
    tokens = torch.randint(0, 400, (192, 15))
    labels = torch.randint(0, 2, (192,))
    loader = DataLoader(TensorDataset(tokens, labels), batch_size=32, shuffle=True)
    model = SentimentModel()
    optimizer = torch.optim.Adam(model.classifier.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(2):
        print(epoch, train_one_epoch(model, loader, criterion, optimizer))


if __name__ == "__main__":
    main()
