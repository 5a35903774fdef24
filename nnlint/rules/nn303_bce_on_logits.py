from __future__ import annotations

from nnlint.analysis.loss_inputs import describe_tail, guards_can_hold, loss_calls, tail_through_clamp
from nnlint.context import RuleContext
from nnlint.rule import Rule


class BceOnLogits(Rule):
    """## What it does
    Finds a `BCELoss` (or `F.binary_cross_entropy`) whose input comes out of a `Linear`/`Conv` layer
    with no sigmoid in between: the model's last layer, the value its `forward` returns (in this file or
    another file of the project), possibly squeezed into range with `clamp`/`clip` to silence the
    "all elements of input should be between 0 and 1" error.

    ## Why is this bad?
    `BCELoss` expects probabilities. Raw scores either crash it or, once clamped into [0, 1], give a
    loss whose gradient is zero wherever the clamp is active: every sample whose score falls outside
    the range stops contributing to training, and the outputs are not calibrated probabilities.

    ## Example
    ```python
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 1))
    criterion = nn.BCELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x).clamp(0, 1), y)
        loss.backward()
        optimizer.step()
    ```

    ## Use instead
    ```python
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 1))
    criterion = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
    ```

    ## How to fix
    Keep the raw logits and use `BCEWithLogitsLoss` (numerically stable), or end the model with
    `nn.Sigmoid()` / apply `torch.sigmoid` before `BCELoss`.
    """

    code = "NN303"
    name = "bce-on-logits"
    summary = "BCELoss is fed a linear layer's output with no sigmoid"

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        for loss in loss_calls(model, "bce"):
            tail = tail_through_clamp(model, loss.prediction(model), loss.call.scope, wanted={"linear"})
            if not guards_can_hold(model, tail, loss.call):
                continue  # a branch of the configuration the call never runs under
            if tail.kind != "linear" or tail.node is None:
                continue
            layer = (tail.layer_qualname or "a linear layer").rsplit(".", 1)[-1]
            ctx.report(
                loss.call.node,
                f"{loss.short_name} receives the raw output of {layer} ({describe_tail(model, tail)}) with no "
                "sigmoid: use BCEWithLogitsLoss on the logits, or apply a sigmoid first",
                evidence={"last_layer": tail.layer_qualname, "layer_at": describe_tail(model, tail)},
            )
