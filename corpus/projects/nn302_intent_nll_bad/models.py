# expect: none
"""Intent classifier: a GRU encoder and a linear head that returns class scores."""
import torch
from torch import nn


class IntentClassifier(nn.Module):
    def __init__(self, vocab_size: int, num_intents: int, dim: int = 32) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, dim)
        self.encoder = nn.GRU(dim, dim, batch_first=True)
        self.classifier = nn.Linear(dim, num_intents)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        _, hidden = self.encoder(self.embed(tokens))
        return self.classifier(hidden[-1])
