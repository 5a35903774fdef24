# expect: none
"""A focal loss for imbalanced binary labels, written on top of binary_cross_entropy_with_logits:
it expects logits."""
import torch
from torch import nn
import torch.nn.functional as F


class BinaryFocalLoss(nn.Module):
    def __init__(self, gamma: float = 2.0) -> None:
        super().__init__()
        self.gamma = gamma

    def forward(self, logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        flat = logits.view(-1)
        bce = F.binary_cross_entropy_with_logits(flat, targets.view(-1), reduction="none")
        kept = torch.exp(-bce)
        return ((1 - kept) ** self.gamma * bce).mean()
