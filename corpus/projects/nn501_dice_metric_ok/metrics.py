# expect: none
"""The Dice coefficient of a thresholded mask against the true mask, per batch."""
import torch


def dice_coeff(pred: torch.Tensor, target: torch.Tensor, eps: float = 1e-4) -> torch.Tensor:
    inter = torch.dot(pred.reshape(-1), target.reshape(-1))
    return (2 * inter + eps) / (pred.sum() + target.sum() + eps)
