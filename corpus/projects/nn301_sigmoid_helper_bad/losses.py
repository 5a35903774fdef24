# expect: none
"""Change-detection loss: binary cross-entropy on the sigmoid of the input plus a dice term; it expects
logits, since it applies the sigmoid itself."""
import torch
from torch import nn


def change_loss(input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    bce = nn.BCELoss()(torch.sigmoid(input), target)
    flat_input, flat_target = input.view(-1), target.view(-1)
    intersection = (flat_input * flat_target).sum()
    dice = 1 - (2.0 * intersection + 1.0) / (flat_input.sum() + flat_target.sum() + 1.0)
    return bce + dice
