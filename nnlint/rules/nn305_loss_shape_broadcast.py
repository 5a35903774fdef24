from __future__ import annotations

from nnlint.analysis.batch_shapes import tensor_shape
from nnlint.analysis.dims import Size, TensorShape, broadcast, expansion
from nnlint.analysis.loss_inputs import loss_calls
from nnlint.context import RuleContext
from nnlint.rule import Rule

_REGRESSION_FAMILIES = ("mse", "l1", "smooth_l1", "huber")


class LossShapeBroadcast(Rule):
    """## What it does
    Finds a pointwise regression loss (`MSELoss`, `L1Loss`, `SmoothL1Loss`, `HuberLoss` and their
    functional forms) whose prediction and target have shapes that broadcast, so that the prediction is
    copied along an axis: `(N, 1)` against `(N,)`, `(N,)` against `(N, 1)`, `(N, 1)` against `(N, k)`,
    `(N, 1, H, W)` against `(N, H, W)`. The shapes are read from the source: the model's layers
    (`Linear(h, 1)` gives `(..., 1)`, in this file or another file of the project), tensors built with
    `torch.randn(...)`, batches of a `DataLoader` over a `TensorDataset`, reshaping and reductions
    (`view`, `squeeze`, `sum(-1, keepdim=True)`), broadcasting arithmetic, tuple returns, `self.`
    attributes, and `torch.distributions` (`Normal(mu, std).log_prob(a)` has one value per action
    dimension). A size named by a parameter (`Linear(h, action_dim)`) counts as more than 1 when no call
    site passes 1. A prediction squeezed, a target unsqueezed, or a constant target (a scalar) is fine.

    ## Why is this bad?
    The loss does not fail: it broadcasts. `(N, 1)` against `(N,)` gives an `(N, N)` matrix that compares
    every prediction with every target, so the model learns to predict the mean target. `(N, 1)` against
    `(N, k)` compares each single prediction with `k` values, e.g. a critic's Q-value with every
    per-dimension term of a policy's log-probability. PyTorch only warns ("Using a target size that is
    different to the input size"), and the loss curve still looks reasonable.

    ## Example
    ```python
    import torch
    import torch.nn as nn
    from torch.utils.data import DataLoader, TensorDataset

    x, y = torch.randn(512, 13), torch.randn(512)
    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
    model = nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 1))
    criterion = nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    ```

    ```python
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    from torch.distributions import Normal

    class Critic(nn.Module):
        def __init__(self, state_dim, action_dim):
            super().__init__()
            self.q = nn.Linear(state_dim + action_dim, 1)

        def forward(self, state, action):
            return self.q(torch.cat([state, action], dim=1))

    class Policy(nn.Module):
        def __init__(self, state_dim, action_dim):
            super().__init__()
            self.mu = nn.Linear(state_dim, action_dim)

        def forward(self, state):
            dist = Normal(self.mu(state), 1.0)
            action = dist.rsample()
            return action, dist.log_prob(action)

    policy = Policy(8, 3)
    critic = Critic(8, 3)

    def critic_loss(state, action, reward, next_state):
        next_action, log_prob = policy(next_state)
        target = reward + 0.99 * (critic(next_state, next_action) - 0.2 * log_prob)
        return F.mse_loss(critic(state, action), target.detach())
    ```

    ## Use instead
    ```python
    import torch
    import torch.nn as nn
    from torch.utils.data import DataLoader, TensorDataset

    x, y = torch.randn(512, 13), torch.randn(512)
    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
    model = nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 1))
    criterion = nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb).squeeze(1), yb)
        loss.backward()
        optimizer.step()
    ```

    ```python
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    from torch.distributions import Normal

    class Critic(nn.Module):
        def __init__(self, state_dim, action_dim):
            super().__init__()
            self.q = nn.Linear(state_dim + action_dim, 1)

        def forward(self, state, action):
            return self.q(torch.cat([state, action], dim=1))

    class Policy(nn.Module):
        def __init__(self, state_dim, action_dim):
            super().__init__()
            self.mu = nn.Linear(state_dim, action_dim)

        def forward(self, state):
            dist = Normal(self.mu(state), 1.0)
            action = dist.rsample()
            return action, dist.log_prob(action).sum(-1, keepdim=True)

    policy = Policy(8, 3)
    critic = Critic(8, 3)

    def critic_loss(state, action, reward, next_state):
        next_action, log_prob = policy(next_state)
        target = reward + 0.99 * (critic(next_state, next_action) - 0.2 * log_prob)
        return F.mse_loss(critic(state, action), target.detach())
    ```

    ## How to fix
    Make both sides the same shape: `pred.squeeze(1)` (or `.view(-1)`) against an `(N,)` target,
    `target.unsqueeze(1)` against an `(N, 1)` prediction, and sum per-dimension terms such as a
    log-probability over their last axis with `keepdim=True`.
    """

    code = "NN305"
    name = "loss-shape-broadcast"
    summary = "prediction and target shapes broadcast inside a pointwise loss ((N, 1) vs (N,), (N, 1) vs (N, k))"

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        for loss in loss_calls(model, *_REGRESSION_FAMILIES):
            scope = loss.call.scope
            prediction = tensor_shape(model, loss.prediction(model), scope)
            target = tensor_shape(model, loss.target(model), scope)
            if prediction is None or target is None or prediction.rank == 0 or target.rank == 0:
                continue  # unknown, or a constant on purpose
            found = expansion(prediction, target)
            if found is None or not found.prediction_expanded:
                continue  # only a target copied along the prediction: one reference value for several outputs
            combined = broadcast(prediction, target)
            shown = combined.describe() if combined is not None else "a larger shape"
            if found.target_expanded:
                consequence = f"they broadcast to {shown}, so every prediction is compared with every target"
            else:
                consequence = (
                    f"the prediction is broadcast to {shown}, so each prediction is compared with several target values"
                )
            ctx.report(
                loss.call.node,
                f"{loss.short_name} compares a prediction of shape {prediction.describe()} with a target of shape "
                f"{target.describe()}: {consequence}{_unless(prediction, target)}; make the shapes equal "
                "(squeeze/unsqueeze, or sum per-dimension terms with keepdim=True)",
                evidence={"static_shapes": {"prediction": prediction.describe(), "target": target.describe()}},
            )


def _unless(prediction: TensorShape, target: TensorShape) -> str:
    """The proviso when the finding rests on a size parameter not being 1."""
    if expansion(prediction, target, named_sizes_on_target=False) is not None:
        return ""
    named = [d.label for d in target.dims if isinstance(d, Size) and not d.batch and d.nonunit]
    return f" (unless {named[0]} is 1)" if named else ""
