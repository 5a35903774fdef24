from __future__ import annotations

from nnlint.analysis.loss_inputs import describe_tail, guards_can_hold, loss_calls
from nnlint.context import RuleContext
from nnlint.rule import Rule


class NllOnLogits(Rule):
    """## What it does
    Finds an `NLLLoss` (or `F.nll_loss`) whose input comes straight out of a `Linear`/`Conv` layer: the
    last layer of an `nn.Sequential`, the value a `forward` returns (in this file or another file of the
    project), or a layer called in the training loop, with no `log_softmax` in between; or whose input
    is softmax probabilities (`F.nll_loss(F.softmax(out, dim=1), y)`), which it takes for log-probabilities.

    ## Why is this bad?
    `NLLLoss` does not normalise anything: it returns minus the input at the target index, assuming
    the input holds log-probabilities. On raw scores it rewards making the target score large without
    bound: the loss goes negative and diverges, and the other classes' scores are never pushed down.

    ## Example
    ```python
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 10))
    criterion = nn.NLLLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
    ```

    ## Use instead
    ```python
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    for x, y in loader:
        optimizer.zero_grad()
        loss = F.nll_loss(F.log_softmax(model(x), dim=1), y)
        loss.backward()
        optimizer.step()
    ```

    ## How to fix
    End the model with `nn.LogSoftmax(dim=1)` (or return `F.log_softmax(x, dim=1)` from `forward`), or
    keep the raw logits and use `nn.CrossEntropyLoss`, which is `log_softmax` + `NLLLoss` in one.
    """

    code = "NN302"
    name = "nll-on-logits"
    summary = "NLLLoss is fed raw logits or softmax probabilities instead of log-probabilities"

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        for loss in loss_calls(model, "nll"):
            tail = model.tail_of(loss.prediction(model), loss.call.scope, training=True, wanted={"softmax", "linear"})
            if not guards_can_hold(model, tail, loss.call):
                continue  # a branch of the configuration the call never runs under
            if tail.node is None:
                continue
            if tail.kind == "softmax":
                ctx.report(
                    loss.call.node,
                    f"{loss.short_name} receives softmax probabilities ({describe_tail(model, tail)}), not "
                    "log-probabilities: the loss is then -p instead of -log p; use log_softmax, or "
                    "CrossEntropyLoss on the logits",
                    evidence={"activation": "softmax", "activation_at": describe_tail(model, tail)},
                )
                continue
            if tail.kind != "linear":
                continue
            layer = (tail.layer_qualname or "a linear layer").rsplit(".", 1)[-1]
            ctx.report(
                loss.call.node,
                f"{loss.short_name} receives the raw output of {layer} ({describe_tail(model, tail)}) with no "
                "log_softmax: it expects log-probabilities; add log_softmax(dim=1) or use CrossEntropyLoss",
                evidence={"last_layer": tail.layer_qualname, "layer_at": describe_tail(model, tail)},
            )
