"""NN104: separate random orders for arrays that travel together; shared orders and re-seeding stay silent."""

from __future__ import annotations

from tests.conftest import codes, lint_text

HEADER = """
import random
import numpy as np
import torch
from sklearn.utils import shuffle
from torch.utils.data import TensorDataset
"""


def nn104(body: str):
    return codes(lint_text(HEADER + body, select=["NN104"]))


def test_generator_shuffles_then_zip() -> None:
    body = """
rng = np.random.default_rng(0)
features = np.random.rand(10, 3)
labels = np.arange(10)
rng.shuffle(features)
rng.shuffle(labels)
pairs = list(zip(features, labels))
"""
    assert nn104(body) == ["NN104"]


def test_attributes_shuffled_in_a_method() -> None:
    body = """
class Data:
    def reshuffle(self):
        np.random.shuffle(self.x)
        np.random.shuffle(self.y)
        return TensorDataset(torch.from_numpy(self.x), torch.from_numpy(self.y))
"""
    assert nn104(body) == ["NN104"]


def test_two_permutation_names_and_sklearn_copies() -> None:
    body = """
X = np.random.rand(10, 3)
y = np.arange(10)
p1 = np.random.permutation(len(X))
p2 = np.random.permutation(len(y))
X, y = X[p1], y[p2]
A, B = np.random.rand(5, 2), np.arange(5)
A = shuffle(A)
B = shuffle(B)
ds = TensorDataset(torch.tensor(A), torch.tensor(B))
"""
    assert nn104(body) == ["NN104", "NN104"]


def test_shared_orders_are_silent() -> None:
    body = """
X = np.random.rand(10, 3)
y = np.arange(10)
np.random.seed(1)
np.random.shuffle(X)
np.random.seed(1)
np.random.shuffle(y)
A, B = shuffle(X, y)
C = shuffle(X, random_state=3)
D = shuffle(y, random_state=3)
idx = torch.randperm(10)
for epoch in range(2):
    xb, yb = X[idx], y[idx]
ds = TensorDataset(torch.tensor(C), torch.tensor(D))
"""
    assert nn104(body) == []


def test_unrelated_shuffles_are_silent() -> None:
    body = """
files = ["a.npy", "b.npy"]
augmentations = ["flip", "crop"]
random.shuffle(files)
random.shuffle(augmentations)
for name in files:
    print(name)
"""
    assert nn104(body) == []


def test_restored_state_and_reseeded_generator_are_silent() -> None:
    body = """
X = np.random.rand(10, 3)
y = np.arange(10)
state = np.random.get_state()
np.random.shuffle(X)
np.random.set_state(state)
np.random.shuffle(y)
rng = np.random.RandomState(7)
rng.shuffle(X)
rng = np.random.RandomState(7)
rng.shuffle(y)
ds = TensorDataset(torch.tensor(X), torch.tensor(y))
"""
    assert nn104(body) == []
