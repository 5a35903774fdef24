from __future__ import annotations

from typing import Optional

import libcst as cst

from nnlint.analysis.foreign_losses import activations_fed_from_elsewhere
from nnlint.analysis.loss_inputs import LossCall, describe_tail, guards_can_hold, loss_calls, unclamped
from nnlint.analysis.loss_wrappers import SIGMOID_BCE, sigmoid_input
from nnlint.analysis.model import SemanticModel, Tail
from nnlint.analysis.soft_overlap import overlap_of_parameter, parameter_of
from nnlint.context import RuleContext
from nnlint.fixes import drop_final_activation
from nnlint.rule import Rule


class SigmoidIntoBceWithLogits(Rule):
    """## What it does
    Finds a `BCEWithLogitsLoss` (or `F.binary_cross_entropy_with_logits`) whose input has already been
    through a sigmoid: an `nn.Sigmoid` closing the model, a `forward` that returns `torch.sigmoid(...)`
    (in this file or another file of the project), or `torch.sigmoid(out)` in the training loop.
    Outputs packed into one tensor count too when the slice fed to the loss covers only sigmoid parts:
    `pred = torch.cat([box, torch.sigmoid(conf), torch.sigmoid(cls)], -1)` then `loss(pred[..., 4:], t)`,
    with `box = raw[..., :4]` (the widths of the parts before the slice must be literal).
    A sigmoid on one branch of a helper counts when only the configuration picks the branch
    (`if self.method == "binary": return torch.sigmoid(out)`) and the loss can run under the same
    configuration (not when the loss sits under the opposite test).
    A user loss that applies the sigmoid itself (`nn.BCELoss()(torch.sigmoid(input), target)`) counts
    as such a loss, and so does `BCELoss` given the sigmoid of a tensor already after a sigmoid (the
    sigmoid applied twice).
    A loss function that contradicts itself is reported too, where no caller shows what it is given: it
    applies the sigmoid to its input for the BCE term (or gives it to `BCEWithLogitsLoss`), and computes a
    soft overlap (Dice, IoU: `2 * (p * t).sum() / (p.sum() + t.sum())`) on the same input as it arrived,
    which treats the input as probabilities.
    A sigmoid applied to the logits only for metrics or thresholding is fine.

    ## Why is this bad?
    `BCEWithLogitsLoss` applies the sigmoid itself. Fed probabilities, it squashes values that are
    already in [0, 1] into [0.5, 0.73]: the loss can never get close to zero, the gradients are tiny,
    and the classifier learns slowly or not at all while the loss curve still looks plausible.

    ## Example
    ```python
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 1), nn.Sigmoid())
    criterion = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
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

    model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 1))
    criterion = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for x, y in loader:
        optimizer.zero_grad()
        logits = model(x)
        loss = criterion(logits, y)
        loss.backward()
        optimizer.step()
        predicted = torch.sigmoid(logits) > 0.5  # for metrics only: fine
    ```

    ## How to fix
    Remove the sigmoid from the model's output (or from the loop) and pass the raw logits to
    `BCEWithLogitsLoss`; apply `torch.sigmoid` only where you need probabilities. Alternatively keep
    the sigmoid and use `BCELoss`, which is less numerically stable.
    """

    code = "NN301"
    name = "sigmoid-into-bce-with-logits"
    summary = "BCEWithLogitsLoss is fed sigmoid output; it applies the sigmoid itself"

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        for loss in loss_calls(model, "bce_with_logits", SIGMOID_BCE):
            tail = self._usable(model, loss.prediction_tail(model, wanted={"sigmoid"}), loss)
            if tail is None:
                self._check_overlap(ctx, loss, loss.prediction(model), "treats {name} as logits")
                continue
            origin = "the model's output" if tail.via_model is not None else "its input"
            ctx.report(
                loss.call.node,
                f"{loss.short_name} receives {origin} after a sigmoid ({_where(model, tail)}); "
                "it applies the sigmoid itself, so pass the raw logits",
                evidence={"activation": "sigmoid", "activation_at": describe_tail(model, tail)},
                fix=None  # a sigmoid on one branch: the other configurations may need it
                if tail.guards or loss.family == SIGMOID_BCE or loss.prediction_key is not None
                else drop_final_activation(ctx, tail, loss.call.node, loss.prediction(model), ("bce_with_logits",)),
            )
        self._check_foreign_losses(ctx)
        for loss in loss_calls(model, "bce"):
            squashed = sigmoid_input(model, unclamped(model, loss.prediction(model), loss.call.scope), loss.call.scope)
            if squashed is None:
                continue
            tail = self._usable(
                model, model.tail_of(squashed, loss.call.scope, training=True, wanted={"sigmoid"}), loss
            )
            if tail is None:
                self._check_overlap(ctx, loss, squashed, "receives the sigmoid of {name}")
                continue
            origin = "the model's output" if tail.via_model is not None else "a tensor"
            ctx.report(
                loss.call.node,
                f"{loss.short_name} receives the sigmoid of {origin} already after a sigmoid "
                f"({_where(model, tail)}): the sigmoid is applied twice, so drop one",
                evidence={"activation": "sigmoid", "activation_at": describe_tail(model, tail)},
            )

    @staticmethod
    def _check_overlap(ctx: RuleContext, loss: LossCall, expr: Optional[cst.BaseExpression], use: str) -> None:
        """A loss function that applies the sigmoid (or lets the loss apply it) to its parameter and also
        computes a soft overlap (Dice, IoU) on the same parameter as it arrived, where no caller shows
        what the parameter is."""
        model = ctx.model
        func = model.function_of(loss.call.node)
        param = parameter_of(model, expr, loss.call.scope)
        if func is None or param is None or loss.wrapper is not None:
            return
        if model.tail_of(expr, loss.call.scope, training=True).kind not in ("unknown", "model"):
            return  # a caller shows what it passes: the rules on that tensor decide
        overlap = overlap_of_parameter(model, func, param)
        if overlap is None:
            return
        line = model.line_of(overlap)
        ctx.report(
            loss.call.node,
            f"{loss.short_name} {use.format(name=f'`{param}`')}, but the overlap term at line {line} (Dice, IoU) "
            f"uses `{param}` as a probability: either the sigmoid is applied twice or the overlap term gets "
            f"logits; apply one sigmoid and use its result in both",
            evidence={"activation": "sigmoid", "overlap_at": line},
        )

    @classmethod
    def _check_foreign_losses(cls, ctx: RuleContext) -> None:
        """A sigmoid of this file's model that another file hands to ``BCEWithLogitsLoss``: reported at the
        sigmoid too, where removing it is the fix (the loss's file reports its call)."""
        model = ctx.model
        for other, loss, _, node in activations_fed_from_elsewhere(
            model,
            ("bce_with_logits",),
            (b"with_logits", b"WithLogits"),
            "sigmoid",
            lambda other, loss: cls._usable(other, loss.prediction_tail(other, wanted={"sigmoid"}), loss),
        ):
            ctx.report(
                node,
                f"this sigmoid output reaches {loss.short_name} ({other.where(loss.call.node, model)}), which "
                "applies the sigmoid itself: return the raw logits",
                evidence={"activation": "sigmoid", "loss_at": other.where(loss.call.node, model)},
            )

    @staticmethod
    def _usable(model: SemanticModel, tail: Tail, loss: LossCall) -> Optional[Tail]:
        """The tail, where it is a sigmoid written somewhere and the loss can run under its configuration."""
        if tail.kind != "sigmoid" or tail.node is None or not guards_can_hold(model, tail, loss.call):
            return None
        if loss.chosen and tail.guards:
            return None  # one configuration's loss against another's sigmoid: nothing ties the two choices
        return tail


def _where(model: SemanticModel, tail: Tail) -> str:
    return describe_tail(model, tail) + "".join(f", when {g.describe()}" for g in tail.guards)
