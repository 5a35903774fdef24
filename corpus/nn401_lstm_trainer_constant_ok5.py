# expect: none
"""A Trainer class that clips an LSTM tagger with a module-level MAX_NORM constant: deliberate for a
recurrent network."""
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

MAX_NORM = 1.0
LEARNING_RATE = 1e-3


class LSTMTagger(nn.Module):
    def __init__(self, vocab: int = 200, embed: int = 16, hidden: int = 32, tags: int = 5) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, hidden, batch_first=True)
        self.out = nn.Linear(hidden, tags)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        states, _ = self.lstm(self.embed(tokens))
        return self.out(states)


class Trainer:
    def __init__(self, model: nn.Module, loader: DataLoader) -> None:
        self.model = model
        self.loader = loader
        self.criterion = nn.CrossEntropyLoss()
        self.optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)

    def step(self, tokens: torch.Tensor, tags: torch.Tensor) -> float:
        self.optimizer.zero_grad()
        logits = self.model(tokens)
        loss = self.criterion(logits.reshape(-1, logits.size(-1)), tags.reshape(-1))
        loss.backward()
        nn.utils.clip_grad_norm_(self.model.parameters(), MAX_NORM)
        self.optimizer.step()
        return loss.item()

    def fit(self, epochs: int) -> None:
        for epoch in range(epochs):
            self.model.train()
            losses = [self.step(tokens, tags) for tokens, tags in self.loader]
            print(f"epoch {epoch}: loss {sum(losses) / len(losses):.4f}")


def main() -> None:
    torch.manual_seed(0)
    tokens = torch.randint(0, 200, (128, 12))
    tags = torch.randint(0, 5, (128, 12))
    Trainer(LSTMTagger(), DataLoader(TensorDataset(tokens, tags), batch_size=16, shuffle=True)).fit(epochs=2)


if __name__ == "__main__":
    main()
