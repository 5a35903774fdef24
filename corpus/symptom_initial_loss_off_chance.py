# expect: none
# expect-dynamic: NN805
"""Topic classifier whose head is initialised with a large normal std copied from a GAN recipe."""
import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class TopicClassifier(nn.Module):
    def __init__(self, vocab: int = 300, classes: int = 20) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(vocab, 128), nn.ReLU())
        self.head = nn.Linear(128, classes)
        nn.init.normal_(self.head.weight, mean=0.0, std=3.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    generator = torch.Generator().manual_seed(0)
    counts = torch.rand(2048, 300, generator=generator)
    topics = torch.randint(0, 20, (2048,), generator=generator)
    train = DataLoader(TensorDataset(counts[:1536], topics[:1536]), batch_size=64, shuffle=True)
    val = DataLoader(TensorDataset(counts[1536:], topics[1536:]), batch_size=256)
    model = TopicClassifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(args.epochs):
        model.train()
        for x, y in train:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            correct = sum((model(x).argmax(1) == y).sum().item() for x, y in val)
        print(f"epoch {epoch}: accuracy {correct / 512:.3f}")


if __name__ == "__main__":
    main()
