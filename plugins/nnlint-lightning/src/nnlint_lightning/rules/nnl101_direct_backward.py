from __future__ import annotations

import libcst as cst

from nnlint.api import CallInfo, ClassInfo, Rule, RuleContext, SemanticModel

from nnlint_lightning.lightning import lightning_modules, self_name


class DirectBackward(Rule):
    """## What it does
    Finds `loss.backward()` (or `torch.autograd.backward(...)`) called inside a `LightningModule`'s
    `training_step`, directly or in a helper it calls.

    ## Why is this bad?
    With automatic optimization Lightning calls backward on the loss `training_step` returns: a
    second, manual backward accumulates every gradient twice (or fails with "backward through the
    graph a second time"), and one that is not returned is never followed by an optimizer step.
    With manual optimization (`self.automatic_optimization = False`) `loss.backward()` bypasses
    Lightning's precision plugin and strategy: under 16-bit mixed precision the loss is never scaled,
    small gradients underflow to zero, and the optimizer step unscales gradients that were never
    scaled. Nothing raises; the model just trains badly.

    ## Example
    ```python
    import torch
    import torch.nn as nn
    import pytorch_lightning as pl

    class Model(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.automatic_optimization = False
            self.net = nn.Linear(8, 1)

        def training_step(self, batch, batch_idx):
            optimizer = self.optimizers()
            x, y = batch
            loss = nn.functional.mse_loss(self.net(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.01)
    ```

    ## Use instead
    ```python
    import torch
    import torch.nn as nn
    import pytorch_lightning as pl

    class Model(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.automatic_optimization = False
            self.net = nn.Linear(8, 1)

        def training_step(self, batch, batch_idx):
            optimizer = self.optimizers()
            x, y = batch
            loss = nn.functional.mse_loss(self.net(x), y)
            optimizer.zero_grad()
            self.manual_backward(loss)
            optimizer.step()

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.01)
    ```

    ## How to fix
    With automatic optimization, return the loss from `training_step` and let Lightning do the rest.
    With manual optimization, call `self.manual_backward(loss)` instead of `loss.backward()`.
    """

    code = "NNL101"
    name = "lightning-direct-backward"
    summary = "training_step calls backward() itself instead of letting Lightning (or manual_backward) do it"

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        for cls in lightning_modules(model):
            step = cls.methods.get("training_step")
            if step is None:
                continue
            manual = _manual_optimization(model, cls)
            for call in model.reachable_calls(step.calls):
                if not _is_plain_backward(model, call):
                    continue
                advice = (
                    "use self.manual_backward(loss): a plain backward() bypasses Lightning's precision scaling and "
                    "strategy"
                    if manual
                    else "Lightning already calls backward on the loss training_step returns: return the loss instead"
                )
                ctx.report(
                    call.node,
                    f"backward() called inside training_step of a LightningModule; {advice}",
                    evidence={"manual_optimization": manual},
                )


def _is_plain_backward(model: SemanticModel, call: CallInfo) -> bool:
    if call.method_name == "backward":
        receiver = call.receiver
        owner = call.function
        # self.backward(...) is Lightning's own hook; a tensor's backward() is the bug
        return not (owner is not None and isinstance(receiver, cst.Name) and receiver.value == self_name(owner))
    return model.callee_qualname(call.node, call.scope) == "torch.autograd.backward"


def _manual_optimization(model: SemanticModel, cls: ClassInfo) -> bool:
    """``self.automatic_optimization = False``, a class attribute, or a property returning False."""
    values = [
        b.value
        for b in cls.attributes.get("automatic_optimization", []) + cls.scope.bindings.get("automatic_optimization", [])
    ]
    prop = cls.methods.get("automatic_optimization")
    if prop is not None:
        values.extend(ret.value for ret in prop.returns)
    return any(isinstance(value, cst.Name) and value.value == "False" for value in values)
