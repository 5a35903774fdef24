# expect: none
"""The network: a backbone and the head its config names; in training its forward returns the head's
loss on the head's output."""
import torch
from torch import nn

from registry import NETS, build_head


@NETS.register_module()
class Segmenter(nn.Module):
    def __init__(self, head: dict) -> None:
        super().__init__()
        self.backbone = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU())
        self.head = build_head(head)

    def forward(self, batch: dict) -> torch.Tensor:
        features = self.backbone(batch["image"])
        out = self.head(features)
        return self.head.loss(out, batch)
