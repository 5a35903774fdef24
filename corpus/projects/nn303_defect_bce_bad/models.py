# expect: none
"""Defect detector for small grey-scale patches; the head is a plain linear layer."""
from torch import nn


class DefectNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1),
            nn.BatchNorm2d(8),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
        )
        self.head = nn.Linear(8, 1)

    def forward(self, x):
        return self.head(self.features(x))
