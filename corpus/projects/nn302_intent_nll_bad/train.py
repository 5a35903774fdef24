# expect: NN302@32
# expect-dynamic: NN302
"""Trains the intent classifier from models.py with NLLLoss (imported under an alias) on its raw
scores."""
import torch
from torch.nn import NLLLoss as NLL
from torch.utils.data import DataLoader, TensorDataset

from models import IntentClassifier

VOCAB, INTENTS = 300, 6


def make_loader() -> DataLoader:
    tokens = torch.randint(0, VOCAB, (192, 10))
    intents = torch.randint(0, INTENTS, (192,))
    return DataLoader(TensorDataset(tokens, intents), batch_size=24, shuffle=True)


def main() -> None:
    torch.manual_seed(0)
    loader = make_loader()
    model = IntentClassifier(VOCAB, INTENTS)
    loss_fn = NLL()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    for epoch in range(2):
        model.train()
        epoch_loss = 0.0
        for tokens, intents in loader:
            optimizer.zero_grad()
            scores = model(tokens)
            loss = loss_fn(scores, intents)
            loss.backward()
            optimizer.step()
            epoch_loss += loss.item()
        print(epoch, epoch_loss / len(loader))


if __name__ == "__main__":
    main()
