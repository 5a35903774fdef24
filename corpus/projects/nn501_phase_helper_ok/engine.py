# expect: none
"""One epoch function for both phases, called by the training script with `train=False` for the
validation: `model.train(train)` puts the model in the mode the phase asks for."""
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
    model.train(train)
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
