# expect: NN301@19
"""A lane detector: a segmentation head and a lane-existence head, returned together in a dict. The
existence head ends in a sigmoid, so output["exist"] holds probabilities."""
import torch
from torch import nn


class LaneNet(nn.Module):
    def __init__(self, lanes: int = 4) -> None:
        super().__init__()
        self.backbone = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(4))
        self.seg = nn.Conv2d(8, lanes + 1, 1)
        self.exist = nn.Linear(8 * 4 * 4, lanes)

    def forward(self, x: torch.Tensor) -> dict:
        features = self.backbone(x)
        output = {"seg": self.seg(features)}
        exist = self.exist(features.flatten(1))
        output["exist"] = torch.sigmoid(exist)
        return output
