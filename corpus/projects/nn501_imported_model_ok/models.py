# expect: none
"""A small residual MLP without Dropout or BatchNorm (LayerNorm behaves the same in both modes)."""
import torch
from torch import nn


class ResidualMLP(nn.Module):
    def __init__(self, in_features: int = 16, width: int = 32, num_classes: int = 4) -> None:
        super().__init__()
        self.inp = nn.Linear(in_features, width)
        self.norm = nn.LayerNorm(width)
        self.hidden = nn.Linear(width, width)
        self.out = nn.Linear(width, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.inp(x))
        h = h + torch.relu(self.hidden(self.norm(h)))
        return self.out(h)
