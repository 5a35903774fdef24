# expect: none
"""A transformer-ish encoder classifier with dropout; defined apart from the training script."""
import torch
from torch import nn


class EncoderClassifier(nn.Module):
    def __init__(self, vocab_size: int = 500, d_model: int = 32, num_classes: int = 3) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, d_model)
        layer = nn.TransformerEncoderLayer(d_model, nhead=4, dim_feedforward=64, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=1)
        self.dropout = nn.Dropout(0.2)
        self.classifier = nn.Linear(d_model, num_classes)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(self.embed(tokens))
        return self.classifier(self.dropout(hidden.mean(dim=1)))
