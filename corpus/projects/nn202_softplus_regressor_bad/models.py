# expect: none
"""A tabular regressor whose output layer is Softplus (non-negative outputs only)."""
from torch import nn


def make_regressor(num_features: int, hidden: int = 64) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(num_features, hidden),
        nn.SiLU(),
        nn.Linear(hidden, hidden),
        nn.SiLU(),
        nn.Linear(hidden, 1),
        nn.Softplus(),
    )
