# expect: none
"""A deeply supervised change detector: two output branches, each closed by nn.Sigmoid, so both outputs
are already change probabilities."""
import torch
from torch import nn


class ChangeNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Conv2d(6, 16, 3, padding=1), nn.ReLU())
        self.coarse = nn.Conv2d(16, 1, 1)
        self.fine = nn.Conv2d(16, 1, 3, padding=1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, before: torch.Tensor, after: torch.Tensor):
        features = self.encoder(torch.cat([before, after], dim=1))
        coarse_out = self.sigmoid(self.coarse(features))
        fine_out = self.sigmoid(self.fine(features))
        return fine_out, coarse_out
