# expect: none
"""A gesture classifier whose output head ends in a Linear layer: it returns logits."""
import torch
from torch import nn


class GestureNet(nn.Module):
    def __init__(self, features: int = 18, classes: int = 4) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(features, 32), nn.ReLU())
        self.head = nn.Linear(32, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.encoder(x))
