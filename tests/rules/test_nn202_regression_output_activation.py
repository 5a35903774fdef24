"""NN202: bounded output activations fitting targets outside their range, with the targets followed
through loaders, helpers and arithmetic; in-range targets and unknown targets stay silent."""

from __future__ import annotations

import pytest

from tests.conftest import codes, lint_text

HEADER = """
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
"""


def nn202(body: str):
    return codes(lint_text(HEADER + body, select=["NN202"]))


def loop(model: str, target: str, loss: str = "nn.MSELoss()") -> str:
    return f"""
x = torch.randn(256, 8)
y = {target}
model = {model}
criterion = {loss}
loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
for xb, yb in loader:
    optimizer.zero_grad()
    loss = criterion(model(xb), yb)
    loss.backward()
    optimizer.step()
"""


RELU_HEAD = "nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 1), nn.ReLU())"
SIGMOID_HEAD = "nn.Sequential(nn.Linear(8, 1), nn.Sigmoid())"
TANH_HEAD = "nn.Sequential(nn.Linear(8, 1), nn.Tanh())"


@pytest.mark.parametrize(
    "body",
    [
        loop(RELU_HEAD, "x @ torch.randn(8, 1)"),
        loop(SIGMOID_HEAD, "torch.randn(256, 1)", "nn.L1Loss()"),
        loop(TANH_HEAD, "3.0 * torch.rand(256, 1)", "nn.SmoothL1Loss()"),
        loop(
            "nn.Sequential(nn.Linear(8, 1), nn.Softplus())",
            "(x[:, :1] - x[:, :1].mean()) / x[:, :1].std()",
            "nn.HuberLoss()",
        ),
        # numpy targets standardised with a scaler, converted with from_numpy
        """
from sklearn.preprocessing import StandardScaler
raw = np.random.rand(100, 1) * 50
y = torch.from_numpy(StandardScaler().fit_transform(raw)).float()
x = torch.randn(100, 4)
model = nn.Sequential(nn.Linear(4, 1), nn.ReLU())
for step in range(5):
    loss = F.mse_loss(model(x), y)
    loss.backward()
""",
        # forward returns torch.sigmoid, targets reach a helper through its parameters
        """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 1)
    def forward(self, x):
        return torch.sigmoid(self.fc(x))

def fit(model, inputs, targets):
    loss = F.mse_loss(model(inputs), targets)
    loss.backward()

fit(Net(), torch.randn(10, 8), torch.randn(10, 1) * 5)
""",
    ],
)
def test_unreachable_targets_are_flagged(body: str) -> None:
    assert nn202(body) == ["NN202"]


@pytest.mark.parametrize(
    "body",
    [
        # linear output
        loop("nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 1))", "x @ torch.randn(8, 1)"),
        # Sigmoid + BCE is classification
        loop(SIGMOID_HEAD, "torch.randint(0, 2, (256, 1)).float()", "nn.BCELoss()"),
        # targets inside the range
        loop(SIGMOID_HEAD, "torch.rand(256, 1)"),
        loop(RELU_HEAD, "torch.randn(256, 1).abs() * 3"),
        loop(TANH_HEAD, "torch.randn(256, 1).clamp(-1.0, 1.0)"),
        loop(SIGMOID_HEAD, "torch.randint(0, 2, (256, 1)).float()"),
        # targets the source does not describe: no proof, no finding
        loop(SIGMOID_HEAD, "torch.load('targets.pt')"),
        # autoencoder reconstructing [0, 1] inputs
        """
images = torch.rand(64, 16)
model = nn.Sequential(nn.Linear(16, 4), nn.ReLU(), nn.Linear(4, 16), nn.Sigmoid())
for (batch,) in DataLoader(TensorDataset(images), batch_size=8, shuffle=True):
    loss = F.mse_loss(model(batch), batch)
    loss.backward()
""",
        # sigmoid only on the training-irrelevant eval branch
        """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 1)
    def forward(self, x):
        out = self.fc(x)
        if not self.training:
            return torch.sigmoid(out)
        return out

model = Net()
loss = F.mse_loss(model(torch.randn(4, 8)), torch.randn(4, 1))
""",
    ],
)
def test_look_alikes_are_silent(body: str) -> None:
    assert nn202(body) == []


def test_one_finding_per_output_activation() -> None:
    body = (
        loop(RELU_HEAD, "torch.randn(256, 1)")
        + """
model.eval()
with torch.no_grad():
    val = criterion(model(x), y).item()
"""
    )
    assert nn202(body) == ["NN202"]
