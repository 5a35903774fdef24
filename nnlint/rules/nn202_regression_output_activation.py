from __future__ import annotations

import math
from typing import Dict, Set

from nnlint.analysis import torch_api as api
from nnlint.analysis.ranges import Range, contains, value_range
from nnlint.analysis.loss_inputs import guards_can_hold
from nnlint.context import RuleContext
from nnlint.rule import Rule

INF = math.inf
# What each output activation can produce.
_OUTPUT_RANGES: Dict[str, Range] = {
    "relu": (0.0, INF),
    "softplus": (0.0, INF),
    "sigmoid": (0.0, 1.0),
    "tanh": (-1.0, 1.0),
    "hardtanh": (-1.0, 1.0),
    "elu": (-1.0, INF),
}
_ACTIVATION_NAMES = {
    "relu": "ReLU",
    "softplus": "Softplus",
    "sigmoid": "Sigmoid",
    "tanh": "Tanh",
    "hardtanh": "Hardtanh",
    "elu": "ELU",
}


def _format(value: float) -> str:
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:g}"


def _describe(target: Range) -> str:
    if target[0] == -INF and target[1] == INF:
        return "unbounded targets of both signs"
    return f"targets in [{_format(target[0])}, {_format(target[1])}]"


class RegressionOutputActivation(Rule):
    """## What it does
    Finds a model trained with a regression loss (`MSELoss`, `L1Loss`, `SmoothL1Loss`, `HuberLoss` or
    their functional forms) whose output passes last through a bounded activation (ReLU, Softplus,
    Sigmoid, Tanh, Hardtanh, ELU) while the targets provably lie outside that activation's range:
    zero-mean or standardised targets (`torch.randn`, `X @ w`, `(y - y.mean()) / y.std()`,
    `StandardScaler`) for a ReLU/Softplus/Sigmoid output, targets beyond [-1, 1] for Tanh. The output is
    followed through `nn.Sequential` tails, `forward`, helpers and other files; the targets through
    variables, helpers and a `DataLoader` back to its `TensorDataset`. A bounded output fitting targets
    inside its range (a Sigmoid autoencoder reconstructing [0, 1] pixels) is left alone, as is
    `Sigmoid` + `BCELoss` (classification).

    ## Why is this bad?
    The model cannot produce the values it is asked for: a ReLU output is never negative, a Sigmoid
    never leaves (0, 1). For every target outside the range the best the model can do is sit on the
    boundary, where the activation's gradient is zero (dead ReLU, saturated Sigmoid/Tanh): the loss
    plateaus at a floor that no amount of training removes.

    ## Example
    ```python
    import torch
    import torch.nn as nn

    x = torch.randn(512, 8)
    y = x @ torch.randn(8, 1)  # targets take both signs
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 1), nn.ReLU())
    criterion = nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for step in range(100):
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
    ```

    ## Use instead
    ```python
    import torch
    import torch.nn as nn

    x = torch.randn(512, 8)
    y = x @ torch.randn(8, 1)
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 1))  # linear output
    criterion = nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for step in range(100):
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
    ```

    ## How to fix
    End a regression model with a plain `Linear` layer. If the target really is bounded, rescale it
    into the activation's range (and back for reporting), or pick the activation from the target's
    true range, not from habit.
    """

    code = "NN202"
    name = "regression-output-activation"
    summary = "a regression model ends in a bounded activation that cannot reach its targets"

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        reported: Set[int] = set()
        # one finding per output activation, at the training loss when there is one
        training = {id(call) for loop in model.training_loops for call in loop.calls}
        for call in sorted(model.calls, key=lambda c: (id(c) not in training, c.order)):
            loss = model.loss_kind(call.node, call.scope)
            if loss is None or loss[0] not in api.REGRESSION_LOSSES:
                continue
            prediction = model.argument(call.node, 0, "input")
            target = model.argument(call.node, 1, "target")
            tail = model.tail_of(prediction, call.scope, training=True, wanted=_OUTPUT_RANGES.keys())
            if not guards_can_hold(model, tail, call):
                continue  # a branch of the configuration the call never runs under
            output_range = _OUTPUT_RANGES.get(tail.kind)
            if output_range is None or tail.node is None or tail.owner is None or id(tail.node) in reported:
                continue
            target_range = value_range(model, target, call.scope)
            if target_range is None or contains(output_range, target_range):
                continue
            reported.add(id(tail.node))
            where = tail.owner.where(tail.node, model)
            activation = _ACTIVATION_NAMES[tail.kind]
            ctx.report(
                call.node,
                f"{loss[1].rsplit('.', 1)[-1]} fits {_describe(target_range)} "
                f"with a model whose output ends in {activation} ({where}), which only reaches "
                f"[{_format(output_range[0])}, {_format(output_range[1])}]; end a regression model with a linear layer",
                evidence={"activation": tail.kind, "activation_at": where, "target_range": list(target_range)},
            )
