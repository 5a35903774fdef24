from nnlint.api import Rule, RuleContext


class WholeModelSave(Rule):
    """## What it does
    Finds `torch.save(model, ...)` where `model` is a network or layer (an `nn.Module`), not its
    `state_dict()`.

    ## Why is this bad?
    Saving the module pickles the object, which stores a reference to its class by import path. The
    checkpoint then only loads with the same code at the same place: rename a file or a class, or load
    it in another project, and `torch.load` fails; recent PyTorch refuses it by default
    (`weights_only=True`).

    ## Example
    ```python
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    torch.save(model, "model.pt")
    ```

    ## Use instead
    ```python
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    torch.save(model.state_dict(), "model.pt")
    ```

    ## How to fix
    Save `model.state_dict()` and rebuild the model in code before `model.load_state_dict(...)`.
    """

    code = "NNX001"
    name = "whole-model-save"
    summary = "torch.save pickles the whole model instead of its state_dict"
    default_options = {"allow_in_functions": []}

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        for call in model.calls:
            if model.callee_qualname(call.node, call.scope) != "torch.save":
                continue
            if call.function is not None and call.function.name in self.options["allow_in_functions"]:
                continue
            saved = model.argument(call.node, 0, "obj")
            if model.object_of(saved, call.scope).kind not in ("model", "layer"):
                continue
            ctx.report(
                call.node,
                "torch.save pickles the whole model, which loads only with this exact code; save "
                "model.state_dict() instead",
            )
