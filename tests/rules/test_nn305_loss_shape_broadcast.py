"""NN305 on the shapes real code broadcasts: (N, 1) against (N, k) through torch.distributions, tuple
returns and self attributes; (N,) against (N, 1); (N, 1, H, W) against (N, H, W). Each with its silent twin."""

from __future__ import annotations

import pytest

from tests.conftest import lint_text

AGENT = """
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions import Normal


class Policy(nn.Module):
    def __init__(self, state_dim, action_dim):
        super().__init__()
        self.body = nn.Linear(state_dim, 64)
        self.mu = nn.Linear(64, action_dim)
        self.log_std = nn.Linear(64, action_dim)

    def forward(self, state):
        h = F.relu(self.body(state))
        dist = Normal(self.mu(h), self.log_std(h).exp())
        raw = dist.rsample()
        log_prob = dist.log_prob(raw) - torch.log(1 - torch.tanh(raw).pow(2) + 1e-6)
        return torch.tanh(raw), log_prob


class Critic(nn.Module):
    def __init__(self, state_dim, action_dim):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(state_dim + action_dim, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, state, action):
        return self.net(torch.cat([state, action], dim=1))


class Agent:
    def __init__(self, state_dim, action_dim, gamma=0.99):
        self.actor = Policy(state_dim, action_dim)
        self.critic = Critic(state_dim, action_dim)
        self.gamma = gamma

    def target(self, reward, next_state, done):
        next_action, log_prob = self.actor(next_state)
        soft = self.critic(next_state, next_action) - 0.2 * log_prob
        return reward + self.gamma * (1 - done) * soft

    def critic_loss(self, state, action, reward, next_state, done):
        q_target = self.target(reward, next_state, done)
        return F.mse_loss(self.critic(state, action), q_target.detach())


agent = Agent(env.observation_space.shape[0], env.action_space.shape[0])
"""


def test_a_critic_against_a_per_dimension_log_probability_is_flagged() -> None:
    findings = lint_text(AGENT, select=["NN305"])
    assert [(f.line, f.column, f.code) for f in findings] == [(45, 16, "NN305")]
    assert "(..., 1)" in findings[0].message and "(..., action_dim)" in findings[0].message
    assert "(unless action_dim is 1)" in findings[0].message


@pytest.mark.parametrize(
    "old,new",
    [
        # the fix: one log-probability per sample
        (
            "log_prob = dist.log_prob(raw) - torch.log(1 - torch.tanh(raw).pow(2) + 1e-6)",
            "log_prob = (dist.log_prob(raw) - torch.log(1 - torch.tanh(raw).pow(2) + 1e-6)).sum(-1, keepdim=True)",
        ),
        # a one-dimensional action space: nothing broadcasts
        (
            "agent = Agent(env.observation_space.shape[0], env.action_space.shape[0])",
            "agent = Agent(env.observation_space.shape[0], 1)",
        ),
        # no call site says what the width is: it may be 1
        ("agent = Agent(env.observation_space.shape[0], env.action_space.shape[0])", ""),
    ],
)
def test_the_critic_loss_twins_are_silent(old: str, new: str) -> None:
    assert lint_text(AGENT.replace(old, new), select=["NN305"]) == []


LOADER = """
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

features = torch.randn(256, 6)
labels = torch.randn(256, 1)
loader = DataLoader(TensorDataset(features, labels), batch_size=32, shuffle=True)
model = nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 1))
for xb, yb in loader:
    loss = F.smooth_l1_loss(model(xb).squeeze(), yb)
"""


def test_a_squeezed_prediction_against_a_column_target_is_flagged() -> None:
    findings = lint_text(LOADER, select=["NN305"])
    assert [(f.line, f.column, f.code) for f in findings] == [(12, 12, "NN305")]
    assert "(N,)" in findings[0].message and "(N, 1)" in findings[0].message and "(N, N)" in findings[0].message


@pytest.mark.parametrize(
    "fixed",
    [
        "F.smooth_l1_loss(model(xb), yb)",
        "F.smooth_l1_loss(model(xb).squeeze(), yb.squeeze(1))",
        "F.smooth_l1_loss(model(xb).view(-1), yb.view(-1))",
        "F.smooth_l1_loss(model(xb)[:, 0], yb[:, 0])",
        "F.smooth_l1_loss(model(xb), torch.zeros(()))",  # a constant reference value
        "F.smooth_l1_loss(model(xb).mean(), yb.mean())",
    ],
)
def test_matching_column_shapes_are_silent(fixed: str) -> None:
    assert lint_text(LOADER.replace("F.smooth_l1_loss(model(xb).squeeze(), yb)", fixed), select=["NN305"]) == []


DEPTH = """
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

images = torch.rand(64, 3, 32, 32)
depths = torch.rand(64, 32, 32)
loader = DataLoader(TensorDataset(images, depths), batch_size=8, shuffle=True)
net = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 1, 3, padding=1))
for image, depth in loader:
    loss = F.l1_loss(net(image), depth)
"""


def test_a_one_channel_map_against_a_map_without_channel_axis_is_flagged() -> None:
    findings = lint_text(DEPTH, select=["NN305"])
    assert [(f.line, f.column, f.code) for f in findings] == [(12, 12, "NN305")]
    assert "(N, 1, ?, ?)" in findings[0].message and "(N, 32, 32)" in findings[0].message


@pytest.mark.parametrize(
    "fixed", ["F.l1_loss(net(image), depth.unsqueeze(1))", "F.l1_loss(net(image).squeeze(1), depth)"]
)
def test_depth_maps_with_matching_axes_are_silent(fixed: str) -> None:
    assert lint_text(DEPTH.replace("F.l1_loss(net(image), depth)", fixed), select=["NN305"]) == []


def test_a_target_copied_along_the_predictions_outputs_is_silent() -> None:
    source = LOADER.replace("nn.Linear(16, 1))", "nn.Linear(16, 3))").replace("model(xb).squeeze()", "model(xb)")
    assert lint_text(source, select=["NN305"]) == []


def test_a_named_width_on_the_prediction_side_is_silent() -> None:
    source = """
import torch.nn as nn
import torch.nn.functional as F

class Regressor(nn.Module):
    def __init__(self, hidden, outputs):
        super().__init__()
        self.head = nn.Linear(hidden, outputs)

    def forward(self, x):
        return self.head(x)

model = Regressor(32, args.outputs)

def step(x, y):
    return F.mse_loss(model(x), y.view(-1, 1))
"""
    assert lint_text(source, select=["NN305"]) == []


DATASET = """
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset


class Houses(Dataset):
    def __init__(self, rows):
        self.rows = rows

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, index):
        row = self.rows[index]
        features = torch.tensor(row[:-1], dtype=torch.float32)
        price = torch.tensor(float(row[-1]), dtype=torch.float32)
        return features, price


loader = DataLoader(Houses(load_rows()), batch_size=32, shuffle=True)
model = nn.Sequential(nn.Linear(13, 64), nn.ReLU(), nn.Linear(64, 1))
criterion = nn.MSELoss()
for features, price in loader:
    loss = criterion(model(features), price)
"""


def test_a_scalar_label_of_a_user_dataset_is_a_flat_batch() -> None:
    findings = lint_text(DATASET, select=["NN305"])
    assert [(f.line, f.column, f.code) for f in findings] == [(25, 12, "NN305")]
    assert "target of shape (N,)" in findings[0].message


@pytest.mark.parametrize(
    "old,new",
    [
        (
            "price = torch.tensor(float(row[-1]), dtype=torch.float32)",
            "price = torch.tensor([float(row[-1])], dtype=torch.float32)",
        ),
        ("criterion(model(features), price)", "criterion(model(features).squeeze(-1), price)"),
        ("shuffle=True)", "shuffle=True, collate_fn=pad_batch)"),  # a custom collate decides the batch's shape
        (
            "        return features, price\n",
            "        if index < 0:\n            return features, price.view(1)\n        return features, price\n",
        ),
    ],
)
def test_user_dataset_twins_are_silent(old: str, new: str) -> None:
    assert lint_text(DATASET.replace(old, new), select=["NN305"]) == []
