from __future__ import annotations

from nnlint.analysis.loss_inputs import loss_calls
from nnlint.analysis.batch_shapes import tensor_shape, unit_output_layer
from nnlint.context import RuleContext
from nnlint.rule import Rule

_REGRESSION_FAMILIES = ("mse", "l1", "smooth_l1", "huber")


class LossShapeBroadcast(Rule):
    """## What it does
    Finds a pointwise regression loss (`MSELoss`, `L1Loss`, `SmoothL1Loss`, `HuberLoss` and their
    functional forms) whose prediction comes out of a `Linear(h, 1)` layer, shape `(N, 1)`, while the
    target is a flat `(N,)` vector, where both shapes are evident from the source: the model's layers
    (in this file or another file of the project) and the tensors the `DataLoader`'s `TensorDataset` is
    built from. A prediction squeezed (`.squeeze(1)`, `.view(-1)`) or a target unsqueezed is fine.

    ## Why is this bad?
    `(N, 1)` and `(N,)` broadcast to `(N, N)`: the loss compares every prediction with every target.
    It runs (PyTorch only warns), but its minimum is the mean of the targets, so the model learns to
    predict a constant while the loss curve looks reasonable.

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

    ## How to fix
    Make both sides the same shape: `pred.squeeze(1)` (or `.view(-1)`) against an `(N,)` target, or
    `target.unsqueeze(1)` against an `(N, 1)` prediction.
    """

    code = "NN305"
    name = "loss-shape-broadcast"
    summary = "prediction (N, 1) and target (N,) broadcast to (N, N) inside a pointwise loss"

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        for loss in loss_calls(model, *_REGRESSION_FAMILIES):
            scope = loss.call.scope
            unit = unit_output_layer(model, loss.prediction(model), scope)
            if unit is None:
                continue
            target_shape = tensor_shape(model, loss.target(model), scope)
            if target_shape is None or len(target_shape) != 1 or target_shape[0] == 1:
                continue
            owner, layer = unit
            ctx.report(
                loss.call.node,
                f"{loss.short_name} compares a prediction ending in a size-1 dimension (Linear(..., 1) at "
                f"{owner.where(layer, model)}) with a 1-D target: they broadcast to (N, N); "
                "squeeze the prediction or unsqueeze the target",
                evidence={"prediction_layer_at": owner.where(layer, model), "target_shape": ["N"]},
            )
