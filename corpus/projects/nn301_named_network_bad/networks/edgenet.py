# expect: NN301@23
"""A segmentation network with an edge head that computes its own training loss. The edge head ends in
nn.Sigmoid, and the loss the training script hands over (SegEdgeLoss, with --edge-loss) feeds that edge
map to binary_cross_entropy_with_logits, which applies the sigmoid a second time."""
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
        edge_out = self.squash(self.edge_head(features))
        if self.training:
            return self.criterion((seg_out, edge_out), targets)
        return seg_out, edge_out
