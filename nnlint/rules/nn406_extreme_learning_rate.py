from __future__ import annotations

from typing import Dict, Iterator, Optional, Set, Tuple

import libcst as cst

from nnlint.analysis import torch_api as api
from nnlint.analysis.model import CallInfo, Scope, SemanticModel
from nnlint.context import RuleContext
from nnlint.options_schema import NUMBER, table_of
from nnlint.rule import Rule

# Rates at or above these are far outside what each optimizer trains with (its default is well below).
_MAX_LR: Dict[str, float] = {
    "SGD": 1.0,
    "ASGD": 1.0,
    "Rprop": 1.0,
    "Adam": 0.1,
    "AdamW": 0.1,
    "Adamax": 0.1,
    "NAdam": 0.1,
    "RAdam": 0.1,
    "SparseAdam": 0.1,
    "RMSprop": 0.1,
    "Adagrad": 1.0,
    "Adafactor": 1.0,
    "Adadelta": 10.0,
    "LBFGS": 10.0,
}


def _literal_rates(model: SemanticModel, call: cst.Call, scope: Scope) -> Iterator[Tuple[cst.BaseExpression, float]]:
    """Literal learning rates of an optimizer constructor: its ``lr`` and each param group's ``"lr"``."""
    rate = model.argument(call, 1, "lr")
    value = model.number(rate, scope)
    if rate is not None and value is not None:
        yield rate, value
    groups = model.argument(call, 0, "params")
    if isinstance(groups, (cst.List, cst.Tuple)):
        for element in groups.elements:
            if not isinstance(element.value, cst.Dict):
                continue
            for item in element.value.elements:
                if (
                    isinstance(item, cst.DictElement)
                    and isinstance(item.key, cst.SimpleString)
                    and item.key.evaluated_value == "lr"
                ):
                    group_value = model.number(item.value, scope)
                    if group_value is not None:
                        yield item.value, group_value


# Schedulers that replace or multiply the optimizer's rate: its literal `lr` is then only a base value.
_RATE_OWNING_SCHEDULERS = frozenset(
    "torch.optim.lr_scheduler." + n for n in ("LambdaLR", "MultiplicativeLR", "OneCycleLR", "CyclicLR")
)


def _rescaled_optimizers(model: SemanticModel) -> Set[cst.CSTNode]:
    """Constructor calls of optimizers handed to a scheduler that owns their learning rate."""
    found: Set[cst.CSTNode] = set()
    for call in model.calls:
        if model.callee_qualname(call.node, call.scope) in _RATE_OWNING_SCHEDULERS:
            optimizer = model.object_of(model.argument(call.node, 0, "optimizer"), call.scope)
            if optimizer.kind == "optimizer" and optimizer.node is not None:
                found.add(optimizer.node)
    return found


class ExtremeLearningRate(Rule):
    """## What it does
    Finds an optimizer built with a literal learning rate far outside its sane range: SGD at 1 or
    more, Adam-family and RMSprop optimizers at 0.1 or more, any optimizer at 1e-7 or less (a rate of
    exactly 0, a deliberate freeze, is not reported). Param-group rates are checked too. Rates read
    from argparse or a configuration are not judged, nor is the base rate of an optimizer whose rate a
    `LambdaLR`/`MultiplicativeLR`/`OneCycleLR`/`CyclicLR` scheduler owns (the Transformer "Noam" recipe
    uses `Adam(lr=1.0)` with a `LambdaLR`). Adadelta and LBFGS, whose default is 1.0, get a bound of 10.

    Options (`[tool.nnlint.options.NN406]`): `min_lr` (default 1e-7) and `max_lr`, a table from
    optimizer class name to its bound (merged over the defaults, e.g. `max_lr = {SGD = 5.0}`).

    ## Why is this bad?
    A rate that is orders of magnitude too large makes the first updates overshoot: the loss jumps to
    NaN or the network's units die. One that is far too small leaves the weights where they were
    initialised, and training looks like it runs while nothing is learned.

    ## Example
    ```python
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 3))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.5)
    ```

    ## Use instead
    ```python
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 3))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    ```

    ## How to fix
    Start from the optimizer's usual range (SGD 0.01-0.1 with momentum, Adam 1e-4-3e-3) and use a
    learning-rate range test to find the largest stable rate. If an unusual rate is intended (e.g. a
    huge batch with LARS-style scaling), raise the bound in the rule's options.
    """

    code = "NN406"
    name = "extreme-learning-rate"
    summary = "a literal learning rate far outside the optimizer's sane range"
    default_options = {"min_lr": 1e-7, "max_lr": {}}
    option_types = {"min_lr": NUMBER, "max_lr": table_of(NUMBER)}

    def _max_lr(self, optimizer: str) -> Optional[float]:
        bounds = {**_MAX_LR, **(self.options.get("max_lr") or {})}
        value = bounds.get(optimizer)
        return float(value) if value is not None else None

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        min_lr = float(self.options.get("min_lr", 1e-7))
        rescaled = _rescaled_optimizers(model)
        for call in model.calls:
            qualname = model.callee_qualname(call.node, call.scope)
            if qualname not in api.OPTIMIZERS or call.node in rescaled or _optimizes_no_objective(model, call):
                continue
            optimizer = qualname.rsplit(".", 1)[-1]
            max_lr = self._max_lr(optimizer)
            for node, rate in _literal_rates(model, call.node, call.scope):
                if max_lr is not None and rate >= max_lr:
                    problem = f"at or above {max_lr:g}, far too large"
                elif 0 < rate <= min_lr:
                    problem = f"at or below {min_lr:g}, so small the weights barely move"
                else:
                    continue
                ctx.report(
                    node,
                    f"{optimizer} learning rate {rate:g} is {problem} for this optimizer; "
                    "find the largest stable rate with a range test",
                    evidence={"optimizer": optimizer, "lr": rate},
                )


def _optimizes_no_objective(model: SemanticModel, optimizer: CallInfo) -> bool:
    """Every loop stepping this optimizer backpropagates a bare ``output.sum()``/``.mean()`` and computes no
    loss: an API demonstration with nothing to learn, where the learning rate means nothing."""
    loops = [
        loop
        for loop in model.training_loops
        if any(
            (target := model.optimizer_step_target(c)) is not None
            and model.object_of(target, c.scope).node is optimizer.node
            for c in loop.calls
        )
    ]
    if not loops:
        return False
    for loop in loops:
        backwards = [c for c in loop.calls if model.is_backward_call(c)]
        if not backwards or any(model.loss_kind(c.node, c.scope) is not None for c in loop.calls):
            return False
        for backward in backwards:
            receiver = backward.receiver
            if not (
                isinstance(receiver, cst.Call)
                and isinstance(receiver.func, cst.Attribute)
                and receiver.func.attr.value in ("sum", "mean")
                and not receiver.args
            ):
                return False
    return True
