# expect: NN501@27
# expect-dynamic: NN501
"""Trains models.EncoderClassifier; evaluate() measures accuracy without switching to eval mode."""
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from models import EncoderClassifier


def train_one_epoch(model, loader, optimizer) -> float:
    model.train()
    total = 0.0
    for tokens, labels in loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(tokens), labels)
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total / len(loader)


def evaluate(model, loader) -> float:
    correct = 0
    with torch.no_grad():
        for tokens, labels in loader:
            correct += (model(tokens).argmax(dim=-1) == labels).sum().item()
    return correct / len(loader.dataset)


def main() -> None:
    torch.manual_seed(0)
    train_loader = DataLoader(
        TensorDataset(torch.randint(0, 500, (192, 10)), torch.randint(0, 3, (192,))), batch_size=32, shuffle=True
    )
    val_loader = DataLoader(TensorDataset(torch.randint(0, 500, (64, 10)), torch.randint(0, 3, (64,))), batch_size=64)
    model = EncoderClassifier()
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-4)
    for epoch in range(2):
        loss = train_one_epoch(model, train_loader, optimizer)
        print(f"epoch {epoch}: loss {loss:.4f} val acc {evaluate(model, val_loader):.3f}")


if __name__ == "__main__":
    main()
