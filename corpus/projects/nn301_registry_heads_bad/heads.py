# expect: NN301@43
"""Two heads built by name: a segmentation head that also runs a lane-presence head when its config has
one, and merges the presence head's dict into its own output. The presence head ends in a sigmoid, and
the segmentation head's loss feeds output["presence"] to BCEWithLogitsLoss: the sigmoid runs twice."""
from typing import Optional

import torch
from torch import nn
import torch.nn.functional as F

from registry import HEADS, build_head


@HEADS.register_module()
class PresenceHead(nn.Module):
    def __init__(self, channels: int, lanes: int) -> None:
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(channels, lanes)

    def forward(self, x: torch.Tensor) -> dict:
        scores = self.fc(self.pool(x).flatten(1))
        return {"presence": torch.sigmoid(scores)}


@HEADS.register_module()
class SegHead(nn.Module):
    def __init__(self, channels: int, classes: int, presence: Optional[dict] = None) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, classes, 1)
        self.presence = build_head(presence) if presence else None

    def forward(self, x: torch.Tensor) -> dict:
        output = {}
        output.update({"seg": self.conv(x)})
        if self.presence:
            output.update(self.presence(x))
        return output

    def loss(self, output: dict, batch: dict) -> torch.Tensor:
        loss = F.cross_entropy(output["seg"], batch["mask"])
        if "presence" in output:
            presence_loss = nn.BCEWithLogitsLoss()(output["presence"], batch["present"])
            loss = loss + 0.1 * presence_loss
        return loss
