# expect: none
"""Validation helper: switches the network to eval mode and measures the mean absolute error."""
import torch


def validate(network, batches) -> float:
    network.eval()
    error, count = 0.0, 0
    with torch.no_grad():
        for x, y in batches:
            error += (network(x) - y).abs().sum().item()
            count += len(y)
    return error / count
