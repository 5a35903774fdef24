# expect: NN501@10
"""Accuracy over a loader; the mode is the one the caller leaves the model in (train.py: training mode)."""
import torch


def evaluate_model(model, loader) -> float:
    correct = 0
    total = 0
    for x, y in loader:
        predicted = torch.max(model(x), 1)[1]
        correct += int((predicted == y).sum())
        total += len(y)
    return correct / max(total, 1)
