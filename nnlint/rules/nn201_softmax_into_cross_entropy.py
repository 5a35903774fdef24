from __future__ import annotations

from typing import Optional

from nnlint.analysis.foreign_losses import activations_fed_from_elsewhere
from nnlint.analysis.frameworks import framework_losses
from nnlint.analysis.loss_inputs import LossCall, guards_can_hold, loss_calls
from nnlint.analysis.model import SemanticModel, Tail
from nnlint.context import RuleContext
from nnlint.fixes import drop_final_activation
from nnlint.rule import Rule

_CROSS_ENTROPY = frozenset({"cross_entropy"})
_PROBABILITY_TAILS = {"softmax": "softmax", "log_softmax": "log_softmax"}


class SoftmaxIntoCrossEntropy(Rule):
    """## What it does
    Finds a `CrossEntropyLoss` (or `F.cross_entropy`) whose input has already been through `softmax`
    or `log_softmax`: at the end of the model (an `nn.Softmax` closing an `nn.Sequential`, a `forward`
    that returns `F.softmax(...)`, in this file or another file of the project) or in the training loop.

    ## Why is this bad?
    `CrossEntropyLoss` applies `log_softmax` itself. Fed probabilities, it computes the log-softmax of
    numbers in [0, 1]: the gradients shrink by orders of magnitude, the loss plateaus near ln C, and
    the model learns slowly or not at all, while the loss curve still looks plausible.

    ## Example
    ```python
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 10), nn.Softmax(dim=1))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
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
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in loader:
        optimizer.zero_grad()
        logits = model(x)
        loss = criterion(logits, y)
        probabilities = F.softmax(logits, dim=1)  # for reporting only: fine
        loss.backward()
        optimizer.step()
    ```

    ## How to fix
    Remove the softmax from the model's output (or from the loop) and give the loss the raw logits.
    Apply `softmax` only where you need probabilities (metrics, inference). If you need
    log-probabilities in the model, end it with `log_softmax` and use `NLLLoss`.
    """

    code = "NN201"
    name = "softmax-into-cross-entropy"
    summary = "CrossEntropyLoss is fed softmax output; it applies log-softmax itself"

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        for loss in loss_calls(model, *_CROSS_ENTROPY):
            prediction = loss.prediction(model)
            tail = loss.prediction_tail(model, wanted=_PROBABILITY_TAILS.keys())
            if not guards_can_hold(model, tail, loss.call):
                continue  # a branch of the configuration the call never runs under
            if tail.kind not in _PROBABILITY_TAILS or tail.node is None or tail.owner is None:
                continue
            where = tail.owner.where(tail.node, model)
            origin = "the model's output" if tail.via_model is not None else "its input"
            ctx.report(
                loss.call.node,
                f"{loss.short_name} receives {origin} after {_PROBABILITY_TAILS[tail.kind]} ({where}); "
                "it applies log-softmax itself, so pass the raw logits",
                evidence={"activation": tail.kind, "activation_at": where},
                fix=drop_final_activation(ctx, tail, loss.call.node, prediction, tuple(_CROSS_ENTROPY))
                if loss.wrapper is None
                else None,
            )
        self._check_foreign_losses(ctx)
        for trained in framework_losses(model):
            if trained.family not in _CROSS_ENTROPY:
                continue
            tail = model.output_tail(trained.module, training=True)
            if tail.kind not in _PROBABILITY_TAILS or tail.node is None or tail.owner is None:
                continue
            where = tail.owner.where(tail.node, model)
            ctx.report(
                trained.call.node,
                f"the framework trains this module with {trained.short_name}, but its output passes through "
                f"{_PROBABILITY_TAILS[tail.kind]} ({where}); the loss applies log-softmax itself, so return the "
                "raw logits",
                evidence={"activation": tail.kind, "activation_at": where},
            )

    @staticmethod
    def _check_foreign_losses(ctx: RuleContext) -> None:
        """A softmax of this file's model reaching a cross-entropy loss of another file: reported at the
        softmax too, where removing it is the fix (the loss's file reports its call)."""
        model = ctx.model
        needles = (b"cross_entropy", b"CrossEntropy")
        for other, loss, tail, node in activations_fed_from_elsewhere(
            model, tuple(_CROSS_ENTROPY), needles, "softmax", _probability_tail
        ):
            ctx.report(
                node,
                f"this {_PROBABILITY_TAILS[tail.kind]} output reaches {loss.short_name} "
                f"({other.where(loss.call.node, model)}), which applies log-softmax itself: return the raw logits",
                evidence={"activation": tail.kind, "loss_at": other.where(loss.call.node, model)},
            )


def _probability_tail(other: SemanticModel, loss: LossCall) -> Optional[Tail]:
    """The softmax or log-softmax a cross-entropy call of ``other`` receives, under a configuration it runs."""
    tail = loss.prediction_tail(other, wanted=_PROBABILITY_TAILS.keys())
    if tail.kind not in _PROBABILITY_TAILS or not guards_can_hold(other, tail, loss.call):
        return None
    return tail
