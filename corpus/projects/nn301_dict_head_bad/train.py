# expect: NN301@13
"""Trains the lane detector: the loss takes the whole output dict and applies BCEWithLogitsLoss to
output["exist"], which the head already passed through a sigmoid (heads.py): the sigmoid runs twice."""
import torch
from torch import nn
import torch.nn.functional as F

from heads import LaneNet


def lane_loss(output: dict, seg_target: torch.Tensor, exist_target: torch.Tensor) -> torch.Tensor:
    seg_loss = F.cross_entropy(output["seg"], seg_target)
    exist_loss = nn.BCEWithLogitsLoss()(output["exist"], exist_target)
    return seg_loss + 0.1 * exist_loss


if __name__ == "__main__":
    torch.manual_seed(0)
    model = LaneNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    for step in range(4):
        images = torch.randn(2, 3, 16, 16)
        seg_target = torch.randint(0, 5, (2, 4, 4))
        exist_target = torch.randint(0, 2, (2, 4)).float()
        optimizer.zero_grad()
        loss = lane_loss(model(images), seg_target, exist_target)
        loss.backward()
        optimizer.step()
