# expect: none
"""Trains the lane detector with LaneLoss (losses.py), which applies BCEWithLogitsLoss to output["exist"],
the raw existence logits of the head (heads.py); the probabilities under "exist_prob" stay out of the loss."""
import torch

from heads import LaneNet
from losses import LaneLoss

if __name__ == "__main__":
    torch.manual_seed(0)
    model = LaneNet()
    criterion = LaneLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    for step in range(4):
        batch = {"mask": torch.randint(0, 5, (2, 4, 4)), "exist": torch.randint(0, 2, (2, 4)).float()}
        optimizer.zero_grad()
        loss = criterion(model(torch.randn(2, 3, 16, 16)), batch)
        loss.backward()
        optimizer.step()
