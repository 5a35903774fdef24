# expect: none
"""A focal loss for binary labels that packs its input with its complement, one column per class, and
hands both to binary_cross_entropy_with_logits: its input must be logits."""
import torch
from torch import nn
import torch.nn.functional as F


class TwoColumnFocalLoss(nn.Module):
    def __init__(self, alpha: float = 0.25, gamma: float = 2.0) -> None:
        super().__init__()
        self.alpha = alpha
        self.gamma = gamma

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        if input.size(1) == 1:
            input = torch.cat([1 - input, input], dim=1)
        one_hot = torch.eye(input.size(1))[target.long().view(-1)]
        p = input.sigmoid()
        pt = p * one_hot + (1 - p) * (1 - one_hot)
        weight = (self.alpha * (1 - pt).pow(self.gamma)).detach()
        return F.binary_cross_entropy_with_logits(input, one_hot, weight)
