# expect: none
"""A sentiment classifier whose forward ends in softmax: probabilities, not logits."""
import torch
from torch import nn
import torch.nn.functional as F


class SentimentNet(nn.Module):
    def __init__(self, features: int = 24, classes: int = 3) -> None:
        super().__init__()
        self.hidden = nn.Linear(features, 48)
        self.out = nn.Linear(48, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.softmax(self.out(torch.relu(self.hidden(x))), dim=1)
