from __future__ import annotations

import re
from typing import Dict, Optional, Tuple

import libcst as cst

from nnlint.analysis.model import Scope, SemanticModel
from nnlint.api import Rule, RuleContext

_F = "torch.nn.functional."
# functional dropouts -> (position of `training`, its default)
_DROPOUTS: Dict[str, Tuple[int, bool]] = {
    _F + "dropout": (2, True),
    _F + "dropout1d": (2, True),
    _F + "dropout2d": (2, True),
    _F + "dropout3d": (2, True),
    _F + "alpha_dropout": (2, False),
    _F + "feature_alpha_dropout": (2, False),
    "torch.dropout": (2, True),  # torch.dropout(input, p, train): train is required
    "torch.alpha_dropout": (2, True),
    "torch.feature_dropout": (2, True),
    "torch.feature_alpha_dropout": (2, True),
}
# dropout modules: built inside a method, such a module is new at each call and never registered, so
# model.eval() does not reach it and it stays in training mode
_DROPOUT_MODULES = frozenset(
    "torch.nn." + name
    for name in ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout")
)
_TRAINING_KEYWORDS = ("training", "train")
_MONTE_CARLO = re.compile(r"(?i)(^mc|montecarlo|monte_carlo|bayes|mcdropout|mc_dropout)")


def _mentions_training(test: cst.BaseExpression) -> bool:
    stack: list = [test]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Attribute):
            if node.attr.value == "training":
                return True
            stack.append(node.value)
        elif isinstance(node, cst.BooleanOperation):
            stack.extend((node.left, node.right))
        elif isinstance(node, cst.UnaryOperation):
            stack.append(node.expression)
        elif isinstance(node, cst.Comparison):
            stack.append(node.left)
            stack.extend(c.comparator for c in node.comparisons)
    return False


def _unregistered_dropout(model: SemanticModel, call: cst.Call, scope: Scope) -> Optional[str]:
    """``nn.Dropout(p)(x)``, or ``drop = nn.Dropout(p)`` then ``drop(x)`` in the same method: the dropout
    module's qualified name."""
    built: Optional[cst.BaseExpression] = call.func
    if isinstance(built, cst.Name):
        binding = model.lookup(built.value, scope, model.order.get(built))
        if binding is None or binding.scope is not scope or binding.kind != "assign" or binding.index is not None:
            return None
        built = binding.value
    if not isinstance(built, cst.Call):
        return None
    qualname = model.callee_qualname(built, scope)
    return qualname if qualname in _DROPOUT_MODULES else None


def _guarded_by_training_flag(model, node: cst.CSTNode) -> bool:
    """Whether a call sits under an ``if`` (or conditional expression) that tests ``self.training``."""
    for ancestor in model.ancestors(node):
        if isinstance(ancestor, cst.FunctionDef):
            return False
        if isinstance(ancestor, (cst.If, cst.IfExp)) and _mentions_training(ancestor.test):
            return True
    return False


class FunctionalDropoutAlwaysOn(Rule):
    """## What it does
    Finds functional dropout (`F.dropout`, `F.dropout1d/2d/3d`, `F.alpha_dropout`,
    `F.feature_alpha_dropout`, `torch.dropout`) inside an `nn.Module`'s `forward` (or another method
    of the module) whose `training` argument is missing (it defaults to `True` for `F.dropout` and
    `F.dropoutNd`) or is the literal `True`.
    Also a dropout module built inside such a method (`x = nn.Dropout(0.5)(x)`, or `drop = nn.Dropout(p)`
    then `drop(x)`): it is a new module at each call, never registered on the model, so `model.eval()`
    never reaches it.

    ## Why is this bad?
    Unlike `nn.Dropout`, the functional form does not know whether the model is in train or eval mode.
    `model.eval()` does not turn it off, so validation, test and inference outputs stay random and
    systematically worse, and the metrics you select models by are noisy.

    ## Example
    ```python
    import torch.nn as nn
    import torch.nn.functional as F

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(20, 64)
            self.fc2 = nn.Linear(64, 2)

        def forward(self, x):
            x = F.dropout(F.relu(self.fc1(x)), p=0.5)
            return self.fc2(x)
    ```

    ## Use instead
    ```python
    import torch.nn as nn
    import torch.nn.functional as F

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(20, 64)
            self.drop = nn.Dropout(0.5)
            self.fc2 = nn.Linear(64, 2)

        def forward(self, x):
            x = F.dropout(F.relu(self.fc1(x)), p=0.5, training=self.training)
            return self.fc2(self.drop(x))
    ```

    ## How to fix
    Pass `training=self.training`, or replace the call with an `nn.Dropout` module created in `__init__`.
    """

    code = "NN203"
    name = "functional-dropout-always-on"
    summary = "F.dropout in forward without training=self.training stays on in eval mode"

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        for call in model.calls:
            func = call.function
            if func is None or func.cls is None or func.name == "__init__" or not func.params:
                continue
            qualname = model.callee_qualname(call.node, call.scope) or ""
            signature = _DROPOUTS.get(qualname or "")
            if signature is None and isinstance(call.node.func, (cst.Call, cst.Name)):
                module = _unregistered_dropout(model, call.node, call.scope)
                if module is not None and model.is_module_class(func.cls) and not _MONTE_CARLO.search(func.cls.name):
                    if not _guarded_by_training_flag(model, call.node):
                        short = module.rsplit(".", 1)[-1]
                        ctx.report(
                            call.node,
                            f"nn.{short} built inside {func.cls.name}.{func.name} is a new, unregistered module at "
                            "each call: model.eval() never reaches it, so it stays active in eval mode; create it "
                            "in __init__ (self.dropout = nn." + short + "(...))",
                        )
                continue
            if signature is None or any(arg.star for arg in call.node.args):
                continue
            if not model.is_module_class(func.cls):
                continue
            if _guarded_by_training_flag(model, call.node):
                continue  # `if self.training: x = F.dropout(x, p)` only runs in train mode
            position, default = signature
            training = None
            for keyword in _TRAINING_KEYWORDS:
                training = training or model.argument(call.node, None, keyword)
            if training is None:
                training = model.argument(call.node, position, None)
            if training is None:
                if not default:
                    continue
            elif not (isinstance(training, cst.Name) and training.value == "True"):
                continue  # self.training, a flag, an expression: the author controls it
            elif _MONTE_CARLO.search(func.cls.name):
                continue  # MC dropout keeps dropout on at inference on purpose
            owner = func.params[0]
            short = qualname.rsplit(".", 1)[-1]
            fix = None
            if training is None and qualname.startswith(_F) and call.node.args:
                fix = ctx.fix(
                    f"pass training={owner}.training",
                    ctx.insert_after(call.node.args[-1].value, f", training={owner}.training"),
                )
            elif training is not None:
                fix = ctx.fix(f"use {owner}.training", ctx.replace(training, f"{owner}.training"))
            ctx.report(
                call.node,
                f"{short} in {func.cls.name}.{func.name} is active in eval mode too; "
                f"pass training={owner}.training or use an nn.Dropout module",
                fix=fix,
            )
