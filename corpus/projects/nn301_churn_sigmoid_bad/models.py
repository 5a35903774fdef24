# expect: NN301@14
"""Churn model: returns probabilities (the forward ends in a sigmoid)."""
import torch
from torch import nn


class ChurnNet(nn.Module):
    def __init__(self, in_features: int, hidden: int = 32) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU(), nn.Dropout(0.1))
        self.out = nn.Linear(hidden, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.out(self.body(x))).squeeze(-1)
