# expect: none
"""Trains the change detector with deep supervision: both outputs, already after nn.Sigmoid, go to
change_loss, whose BCELoss takes them as the probabilities they are."""
import torch

from losses import change_loss
from models import ChangeNet

if __name__ == "__main__":
    torch.manual_seed(0)
    model = ChangeNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for step in range(4):
        before, after = torch.randn(2, 3, 16, 16), torch.randn(2, 3, 16, 16)
        change = torch.randint(0, 2, (2, 1, 16, 16)).float()
        optimizer.zero_grad()
        fine, coarse = model(before, after)
        loss = change_loss(fine, change) + 0.5 * change_loss(coarse, change)
        loss.backward()
        optimizer.step()
