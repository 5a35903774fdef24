# expect: none
"""The lane detector's loss: cross-entropy on the segmentation logits, BCE-with-logits on the existence
logits, both read from the model's output dict."""
import torch
from torch import nn
import torch.nn.functional as F


class LaneLoss(nn.Module):
    def __init__(self, exist_weight: float = 0.1) -> None:
        super().__init__()
        self.exist_weight = exist_weight
        self.exist_criterion = nn.BCEWithLogitsLoss()

    def forward(self, output: dict, batch: dict) -> torch.Tensor:
        seg_loss = F.cross_entropy(output["seg"], batch["mask"])
        exist_loss = self.exist_criterion(output["exist"], batch["exist"])
        return seg_loss + self.exist_weight * exist_loss
