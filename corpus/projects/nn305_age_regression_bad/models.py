# expect: none
"""Age regressor from face embeddings: a small MLP with a single linear output unit."""
from torch import nn


def make_regressor(embedding_dim: int = 64) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(embedding_dim, 64),
        nn.ReLU(),
        nn.Dropout(0.1),
        nn.Linear(64, 1),
    )
