# expect: none
"""A small encoder-decoder that predicts one depth value per pixel: its head is a 1x1 convolution with a
single output channel, upsampled back to the input resolution."""
from typing import Tuple

import torch
from torch import nn
from torch.nn import functional as F


class DepthNet(nn.Module):
    def __init__(self, width: int = 16) -> None:
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(3, width, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(width, width, 3, stride=2, padding=1),
            nn.ReLU(),
        )
        self.depth_head = nn.Conv2d(width, 1, 1)

    def forward(self, photo: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        features = self.encoder(photo)
        depth = self.depth_head(features)
        depth = F.interpolate(depth, scale_factor=4, mode="bilinear", align_corners=False)
        return features, depth
