"""NN103: whole-data statistics reaching a later split, through names, helpers, sklearn and slicing."""
from __future__ import annotations

from tests.conftest import codes, lint_text

HEADER = """
import numpy as np
import torch
from torch.utils.data import TensorDataset, random_split
from sklearn.model_selection import KFold, train_test_split
from sklearn.preprocessing import MinMaxScaler, StandardScaler
"""


def nn103(body: str):
    return codes(lint_text(HEADER + body, select=["NN103"]))


def test_named_statistics_then_train_test_split() -> None:
    body = """
X, y = np.random.rand(100, 4), np.random.randint(0, 2, 100)
mu, sigma = X.mean(axis=0), X.std(axis=0)
X_norm = (X - mu) / sigma
X_tr, X_te, y_tr, y_te = train_test_split(X_norm, y)
"""
    assert nn103(body) == ["NN103"]


def test_helper_returns_normalised_data_split_by_caller() -> None:
    body = """
def load():
    X = torch.randn(100, 3)
    y = torch.randint(0, 2, (100,))
    X = (X - torch.mean(X, dim=0)) / torch.std(X, dim=0)
    return X, y

def main():
    X, y = load()
    train, val = random_split(TensorDataset(X, y), [80, 20])
"""
    assert nn103(body) == ["NN103"]


def test_in_place_max_scaling_then_slices() -> None:
    body = """
X = torch.rand(100, 3) * 255
X /= X.max()
train_x, val_x = X[:80], X[80:]
"""
    assert nn103(body) == ["NN103"]


def test_fitted_scaler_then_kfold() -> None:
    body = """
X = np.random.rand(100, 4)
scaler = MinMaxScaler().fit(X)
Xs = scaler.transform(X)
for train_idx, test_idx in KFold(5).split(Xs):
    pass
"""
    assert nn103(body) == ["NN103"]


def test_separate_fit_then_transform() -> None:
    body = """
X = np.random.rand(100, 4)
scaler = StandardScaler()
scaler.fit(X)
X = scaler.transform(X)
a, b = train_test_split(X, test_size=0.2)
"""
    assert nn103(body) == ["NN103"]


def test_training_statistics_constants_and_no_split_are_silent() -> None:
    body = """
X = torch.randn(100, 3)
y = torch.randint(0, 2, (100,))
X_train, X_val = X[:80], X[80:]
mean, std = X_train.mean(0), X_train.std(0)
X_train, X_val = (X_train - mean) / std, (X_val - mean) / std
scaler = StandardScaler().fit(X_train)
Z = scaler.transform(X_val)
images = torch.rand(50, 1, 8, 8)
images = (images - 0.1307) / 0.3081
parts = random_split(TensorDataset(images, y[:50]), [40, 10])
whole = (X - X.mean(0)) / X.std(0)
loader_data = TensorDataset(whole, y)
"""
    assert nn103(body) == []


def test_per_sample_statistics_are_silent() -> None:
    body = """
signals = torch.randn(100, 64)
signals = (signals - signals.mean(dim=1, keepdim=True)) / signals.std(dim=1, keepdim=True)
windows = (signals - np.min(signals, axis=-1)) / 2
train, val = signals[:80], signals[80:]
"""
    assert nn103(body) == []


def test_statistics_of_other_data_are_silent() -> None:
    body = """
X = torch.randn(100, 3)
noise = torch.randn(100, 3)
scale = noise.std()
X = X / scale
train, val = X[:80], X[80:]
"""
    assert nn103(body) == []


def test_shift_only_and_subset_slices_are_silent() -> None:
    body = """
X = np.random.rand(100, 4)
y = np.random.rand(100)
y -= np.min(y)
X = X - X.min()
parts = train_test_split(X, y)
Z = StandardScaler().fit_transform(np.random.rand(100, 4))
Z = np.vstack((Z[:40], Z[50:90]))
"""
    assert nn103(body) == []
