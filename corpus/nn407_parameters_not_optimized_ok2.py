# expect: none
"""Discriminative fine-tuning: the head is replaced first, then one optimizer gets two parameter
groups (encoder at a low rate, classifier at a higher one) that cover the whole model."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class SentimentModel(nn.Module):
    def __init__(self, vocab=400, dim=32, classes=5):
        super().__init__()
        self.encoder = nn.Sequential(nn.EmbeddingBag(vocab, dim), nn.Linear(dim, dim), nn.ReLU())
        self.classifier = nn.Linear(dim, classes)

    def forward(self, tokens):
        return self.classifier(self.encoder(tokens))


def main():
    torch.manual_seed(0)
    tokens = torch.randint(0, 400, (192, 15))
    labels = torch.randint(0, 2, (192,))
    loader = DataLoader(TensorDataset(tokens, labels), batch_size=32, shuffle=True)
    model = SentimentModel()
    model.classifier = nn.Linear(32, 2)
    optimizer = torch.optim.Adam(
        [
            {"params": model.encoder.parameters(), "lr": 1e-4},
            {"params": model.classifier.parameters(), "lr": 1e-3},
        ]
    )
    criterion = nn.CrossEntropyLoss()
    for epoch in range(2):
        model.train()
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        print(epoch, loss.item())


if __name__ == "__main__":
    main()
