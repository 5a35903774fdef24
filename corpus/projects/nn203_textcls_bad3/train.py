# expect: none
"""Train the bag-of-embeddings classifier defined in models.py."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from models import BagOfEmbeddings


def run_epoch(model, loader, criterion, optimizer):
    model.train()
    total = 0.0
    for tokens, labels in loader:
        optimizer.zero_grad()
        loss = criterion(model(tokens), labels)
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total / len(loader)


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    hits = sum((model(tokens).argmax(dim=-1) == labels).sum().item() for tokens, labels in loader)
    return hits / len(loader.dataset)


def main():
    torch.manual_seed(0)
    train_loader = DataLoader(
        TensorDataset(torch.randint(1, 500, (256, 24)), torch.randint(0, 3, (256,))), batch_size=32, shuffle=True
    )
    val_loader = DataLoader(TensorDataset(torch.randint(1, 500, (64, 24)), torch.randint(0, 3, (64,))), batch_size=64)
    model = BagOfEmbeddings(vocab_size=500, dim=32, n_classes=3)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    for epoch in range(2):
        loss = run_epoch(model, train_loader, criterion, optimizer)
        print(f"epoch {epoch}: loss {loss:.4f} val acc {evaluate(model, val_loader):.3f}")


if __name__ == "__main__":
    main()
