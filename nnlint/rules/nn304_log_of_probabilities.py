from __future__ import annotations

from typing import Optional

import libcst as cst

from nnlint.analysis.loss_inputs import describe_tail, guards_can_hold
from nnlint.analysis.model import CallInfo, SemanticModel
from nnlint.context import RuleContext
from nnlint.rule import Rule

_LOG_FUNCTIONS = frozenset({"torch.log", "torch.log2", "torch.log10", "numpy.log"})
_LOG_METHODS = frozenset({"log", "log2", "log10", "log_"})
_STABLE_REPLACEMENT = {"softmax": "F.log_softmax(x, dim=...)", "sigmoid": "F.logsigmoid(x)"}


def _log_argument(model: SemanticModel, call: CallInfo) -> Optional[cst.BaseExpression]:
    """The tensor a ``torch.log(...)`` / ``x.log()`` call takes the logarithm of."""
    qualname = model.callee_qualname(call.node, call.scope)
    if qualname in _LOG_FUNCTIONS:
        return model.argument(call.node, 0, "input")
    if qualname is None and call.method_name in _LOG_METHODS and not call.node.args and call.receiver is not None:
        return call.receiver
    return None


class LogOfProbabilities(Rule):
    """## What it does
    Finds `torch.log` (or `.log()`) taken directly of softmax or sigmoid probabilities, such as
    `torch.log(F.softmax(x, dim=1))`, `torch.log(torch.sigmoid(x))`, or `torch.log(probs)` where `probs`
    came out of a softmax, a sigmoid or a model ending in one, with no clamp or epsilon in between.
    Logarithms of guarded values (`torch.log(p + 1e-8)`, `torch.log(p.clamp(min=eps))`) and of strictly
    positive quantities (`torch.log(torch.exp(v))`, `torch.log(x ** 2 + 1)`) are not reported.

    ## Why is this bad?
    In float32, softmax and sigmoid underflow to exactly 0 for logits a few dozen units apart; the log
    then returns `-inf` and the loss and every gradient become NaN. It is also less accurate than the
    fused log-space functions, which never form the probability.

    ## Example
    ```python
    import torch
    import torch.nn.functional as F

    def soft_cross_entropy(logits, soft_targets):
        log_probs = torch.log(F.softmax(logits, dim=1))
        return -(soft_targets * log_probs).sum(dim=1).mean()
    ```

    ## Use instead
    ```python
    import torch
    import torch.nn.functional as F

    def soft_cross_entropy(logits, soft_targets):
        log_probs = F.log_softmax(logits, dim=1)
        return -(soft_targets * log_probs).sum(dim=1).mean()
    ```

    ## How to fix
    Use `F.log_softmax(x, dim=...)` instead of `log(softmax(x))` and `F.logsigmoid(x)` instead of
    `log(sigmoid(x))`. Where you need the log of probabilities you already have, guard it:
    `torch.log(p.clamp(min=1e-8))`.
    """

    code = "NN304"
    name = "log-of-probabilities"
    summary = "log of softmax/sigmoid probabilities that can underflow to 0"

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        for call in model.calls:
            argument = _log_argument(model, call)
            if argument is None:
                continue
            tail = model.tail_of(argument, call.scope, training=True, wanted=_STABLE_REPLACEMENT.keys())
            if not guards_can_hold(model, tail, call):
                continue  # a branch of the configuration the call never runs under
            if tail.kind not in _STABLE_REPLACEMENT or tail.node is None:
                continue
            ctx.report(
                call.node,
                f"log of {tail.kind} probabilities ({describe_tail(model, tail)}) gives -inf when they underflow "
                f"to 0; use {_STABLE_REPLACEMENT[tail.kind]} or clamp the probabilities first",
                evidence={"activation": tail.kind, "activation_at": describe_tail(model, tail)},
            )
