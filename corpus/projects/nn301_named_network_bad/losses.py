# expect: none
"""Losses for a network with a segmentation output and an edge output; get_loss picks one by the
configuration. SegEdgeLoss takes edge logits (binary_cross_entropy_with_logits)."""
import torch
import torch.nn.functional as F
from torch import nn


class SegEdgeLoss(nn.Module):
    def __init__(self, edge_weight: float = 1.0) -> None:
        super().__init__()
        self.edge_weight = edge_weight

    def edge_loss(self, edge_logits: torch.Tensor, edge_target: torch.Tensor) -> torch.Tensor:
        return F.binary_cross_entropy_with_logits(edge_logits.view(-1), edge_target.view(-1))

    def forward(self, inputs, targets):
        seg_in, edge_in = inputs
        seg_target, edge_target = targets
        return F.cross_entropy(seg_in, seg_target) + self.edge_weight * self.edge_loss(edge_in, edge_target)


class SegOnlyLoss(nn.Module):
    def forward(self, inputs, targets):
        seg_in, _ = inputs
        seg_target, _ = targets
        return F.cross_entropy(seg_in, seg_target)


def get_loss(args):
    if args.edge_loss:
        criterion = SegEdgeLoss(args.edge_weight)
    else:
        criterion = SegOnlyLoss()
    criterion_val = SegOnlyLoss()
    return criterion, criterion_val
