# expect: NN301@28
"""Two segmentation nets for one-channel masks; the deep one ends in a sigmoid, the plain one in logits."""
import torch
import torch.nn.functional as F
from torch import nn


class PlainSegNet(nn.Module):
    def __init__(self, n_classes: int = 1) -> None:
        super().__init__()
        self.n_classes = n_classes
        self.body = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU())
        self.head = nn.Conv2d(8, n_classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))


class DeepSegNet(nn.Module):
    def __init__(self, n_classes: int = 1) -> None:
        super().__init__()
        self.n_classes = n_classes
        self.body = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 3, padding=1), nn.ReLU())
        self.head = nn.Conv2d(8, n_classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        d1 = self.head(self.body(x))
        return F.sigmoid(d1)
