# expect: NN305@64
# expect-dynamic: NN305
"""Soft actor-critic on a synthetic reaching task. The policy returns the Normal's log-probability per
action dimension, (N, 3); the soft Q-target built from it is (N, 3) too, and MSELoss compares it with
the critic's (N, 1) output: each Q-value is regressed onto three different targets."""
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions import Normal

warnings.filterwarnings("ignore", message="Using a target size")


class GaussianPolicy(nn.Module):
    def __init__(self, state_dim: int, action_dim: int, hidden: int = 64) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(state_dim, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh())
        self.mean = nn.Linear(hidden, action_dim)
        self.log_std = nn.Linear(hidden, action_dim)

    def forward(self, state: torch.Tensor):
        h = self.body(state)
        std = self.log_std(h).clamp(-5, 2).exp()
        dist = Normal(self.mean(h), std)
        raw = dist.rsample()
        action = torch.tanh(raw)
        log_prob = dist.log_prob(raw) - torch.log(1 - action.pow(2) + 1e-6)
        return action, log_prob


class QNetwork(nn.Module):
    def __init__(self, state_dim: int, action_dim: int, hidden: int = 64) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(state_dim + action_dim, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh(), nn.Linear(hidden, 1)
        )

    def forward(self, state: torch.Tensor, action: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([state, action], dim=1))


class SoftActorCritic:
    def __init__(self, state_dim: int, action_dim: int, gamma: float = 0.99, alpha: float = 0.2) -> None:
        self.actor = GaussianPolicy(state_dim, action_dim)
        self.critic = QNetwork(state_dim, action_dim)
        self.critic_target = QNetwork(state_dim, action_dim)
        self.critic_target.load_state_dict(self.critic.state_dict())
        self.actor_optimizer = torch.optim.Adam(self.actor.parameters(), lr=3e-4)
        self.critic_optimizer = torch.optim.Adam(self.critic.parameters(), lr=3e-4)
        self.gamma = gamma
        self.alpha = alpha

    def soft_target(self, reward: torch.Tensor, next_state: torch.Tensor, done: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            next_action, next_log_prob = self.actor(next_state)
            next_q = self.critic_target(next_state, next_action) - self.alpha * next_log_prob
            return reward + self.gamma * (1 - done) * next_q

    def update(self, state, action, reward, next_state, done) -> float:
        q_target = self.soft_target(reward, next_state, done)
        critic_loss = F.mse_loss(self.critic(state, action), q_target)
        self.critic_optimizer.zero_grad()
        critic_loss.backward()
        self.critic_optimizer.step()

        new_action, log_prob = self.actor(state)
        actor_loss = (self.alpha * log_prob.sum(-1, keepdim=True) - self.critic(state, new_action)).mean()
        self.actor_optimizer.zero_grad()
        actor_loss.backward()
        self.actor_optimizer.step()
        return critic_loss.item()


def transitions(rng: np.random.Generator, n: int, state_dim: int, action_dim: int):
    """Random transitions of a point mass pushed towards the origin."""
    state = rng.standard_normal((n, state_dim)).astype(np.float32)
    action = rng.uniform(-1, 1, (n, action_dim)).astype(np.float32)
    next_state = state + 0.1 * np.pad(action, ((0, 0), (0, state_dim - action_dim)))
    reward = -np.linalg.norm(next_state, axis=1, keepdims=True).astype(np.float32)
    done = (rng.random((n, 1)) < 0.05).astype(np.float32)
    return [torch.from_numpy(a) for a in (state, action, reward, next_state.astype(np.float32), done)]


def main() -> None:
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    state_dim, action_dim = 6, 3
    buffer = transitions(rng, 2048, state_dim, action_dim)
    agent = SoftActorCritic(state_dim, action_dim)
    for step in range(60):
        index = torch.from_numpy(rng.integers(0, 2048, 128))
        loss = agent.update(*(tensor[index] for tensor in buffer))
        if step % 20 == 0:
            print(f"step {step}: critic loss {loss:.4f}")


if __name__ == "__main__":
    main()
