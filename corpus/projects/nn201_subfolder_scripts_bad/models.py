# expect: none
"""A gesture classifier whose output head ends in nn.Softmax: it returns probabilities, not logits."""
import torch
from torch import nn


class GestureNet(nn.Module):
    def __init__(self, features: int = 18, classes: int = 4) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(features, 32), nn.ReLU())
        self.head = nn.Sequential(nn.Linear(32, classes), nn.Softmax(dim=-1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.encoder(x))
