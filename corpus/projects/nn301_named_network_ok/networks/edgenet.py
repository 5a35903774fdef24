# expect: none
"""A segmentation network with an edge head that computes its own training loss. In training it hands
the edge logits to the loss the training script gives it (SegEdgeLoss, with --edge-loss, applies the
sigmoid itself); the sigmoid is applied only to the edge map it returns for evaluation."""
import torch
from torch import nn


class EdgeSegNet(nn.Module):
    def __init__(self, num_classes, criterion=None):
        super().__init__()
        self.criterion = criterion
        self.body = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU())
        self.seg_head = nn.Conv2d(16, num_classes, 1)
        self.edge_head = nn.Conv2d(16, 1, 1)
        self.squash = nn.Sigmoid()

    def forward(self, images: torch.Tensor, targets=None):
        features = self.body(images)
        seg_out = self.seg_head(features)
        edge_out = self.edge_head(features)
        if self.training:
            return self.criterion((seg_out, edge_out), targets)
        return seg_out, self.squash(edge_out)
