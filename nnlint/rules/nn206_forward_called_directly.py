from __future__ import annotations

import libcst as cst

from nnlint.api import Rule, RuleContext


class ForwardCalledDirectly(Rule):
    """## What it does
    Finds `module.forward(x)` on an `nn.Module` (a model, a layer, a submodule such as
    `self.encoder.forward(x)`), instead of calling the module itself: `module(x)`.

    ## Why is this bad?
    `nn.Module.__call__` does more than run `forward`: it runs forward pre-hooks and hooks (used by
    `torch.utils.hooks`, pruning, quantization observers, activation checkpointing, profilers,
    DDP/FSDP bookkeeping and nnlint's own dynamic pass), and backward hooks. `model.forward(x)` skips
    all of them, so those features silently stop working for that call.

    ## Example
    ```python
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 2))
    for x, y in loader:
        output = model.forward(x)
    ```

    ## Use instead
    ```python
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 2))
    for x, y in loader:
        output = model(x)
    ```

    ## How to fix
    Call the module: `model(x)`. Inside a subclass's own `forward`, `super().forward(x)` is fine.
    """

    code = "NN206"
    name = "forward-called-directly"
    summary = "module.forward(x) skips the module's hooks; call module(x)"

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        for call in model.calls:
            if call.method_name != "forward" or call.receiver is None:
                continue
            receiver = call.receiver
            if isinstance(receiver, cst.Call):
                continue  # super().forward(x), SomeClass().forward(...)
            if isinstance(receiver, cst.Name) and call.function is not None and call.function.cls is not None:
                if call.function.params and receiver.value == call.function.params[0]:
                    continue  # self.forward(x) inside the module's own methods
            obj = model.object_of(receiver, call.scope)
            if obj.kind not in ("model", "layer"):
                continue
            label = model.module.code_for_node(receiver)
            fix = ctx.fix(f"call {label}(...) instead of {label}.forward(...)", ctx.replace(call.node.func, receiver))
            ctx.report(
                call.node,
                f"{label}.forward(...) bypasses the module's hooks (forward/backward hooks, DDP, profilers); call "
                f"{label}(...)",
                fix=fix,
            )
