from __future__ import annotations

from typing import Optional, Tuple

from nnlint.analysis import image_arrays
from nnlint.analysis.batch_shapes import tensor_shape
from nnlint.analysis.dims import Expansion, Size, TensorShape, broadcast, expansion
from nnlint.analysis.loss_inputs import LossCall, loss_calls
from nnlint.analysis.model import SemanticModel
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
    `torch.randn(...)`, batches of a `DataLoader` over a `TensorDataset` or a `Dataset` of the project
    (what its `__getitem__` returns, images read with PIL or OpenCV included: an image opened without a
    mode must broadcast both ways, as a grayscale `(H, W)` and with channels `(H, W, C)`), resampling
    (`F.interpolate`, `nn.Upsample`), reshaping and reductions
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
            judged = _judged(model, loss)
            if judged is None:
                continue
            (prediction, target, found), other = judged
            combined = broadcast(prediction, target)
            shown = combined.describe() if combined is not None else "a larger shape"
            if found.target_expanded:
                consequence = f"they broadcast to {shown}, so every prediction is compared with every target"
            else:
                consequence = (
                    f"the prediction is broadcast to {shown}, so each prediction is compared with several target values"
                )
            also = (
                f" (or {other[1].describe()}, should the image it is read from have colour channels)"
                if other is not None
                else ""
            )
            ctx.report(
                loss.call.node,
                f"{loss.short_name} compares a prediction of shape {prediction.describe()} with a target of shape "
                f"{target.describe()}{also}: {consequence}{_unless(prediction, target)}; make the shapes equal "
                "(squeeze/unsqueeze, or sum per-dimension terms with keepdim=True)",
                evidence={"static_shapes": {"prediction": prediction.describe(), "target": target.describe()}},
            )


_Judgement = Tuple[TensorShape, TensorShape, Expansion]


def _judged(model: SemanticModel, loss: LossCall) -> Optional[Tuple[_Judgement, Optional[_Judgement]]]:
    """The shapes and how they broadcast, when the prediction gets expanded. Where the shapes rest on an
    image read without a mode, the finding must hold for a grayscale file and for a colour one alike:
    the first judgement is then the grayscale one, the second the colour one."""
    before = image_arrays.open_images()
    plain = _judge(model, loss)
    if plain is not None or image_arrays.open_images() == before:
        return (plain, None) if plain is not None else None
    judgements = []
    for channels in ("gray", "color"):
        with image_arrays.assuming(channels):
            judgements.append(_judge(model, loss))
    gray, color = judgements
    return (gray, color) if gray is not None and color is not None else None


def _judge(model: SemanticModel, loss: LossCall) -> Optional[_Judgement]:
    scope = loss.call.scope
    prediction = tensor_shape(model, loss.prediction(model), scope)
    target = tensor_shape(model, loss.target(model), scope)
    if prediction is None or target is None or prediction.rank == 0 or target.rank == 0:
        return None  # unknown, or a constant on purpose
    found = expansion(prediction, target)
    if found is None or not found.prediction_expanded:
        return None  # only a target copied along the prediction: one reference value for several outputs
    return prediction, target, found


def _unless(prediction: TensorShape, target: TensorShape) -> str:
    """The proviso when the finding rests on a size parameter not being 1."""
    if expansion(prediction, target, named_sizes_on_target=False) is not None:
        return ""
    named = [d.label for d in target.dims if isinstance(d, Size) and not d.batch and d.nonunit]
    return f" (unless {named[0]} is 1)" if named else ""
