# expect: NN501@20
"""One epoch function for both phases, called by the training script with `train=False` for the
validation: that call runs no backward and no step, yet the function puts the model in training mode
on every call, so the validation loss is measured with Dropout active."""
import torch
from torch import nn
from torch.utils.data import DataLoader


def run_epoch(
    model: nn.Module,
    loader: DataLoader,
    criterion: nn.Module,
    optimizer: torch.optim.Optimizer,
    train: bool = True,
) -> float:
    model.train()
    total = 0.0
    for inputs, targets in loader:
        outputs = model(inputs)
        loss = criterion(outputs, targets)
        if train:
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        total += loss.item()
    return total / len(loader)
