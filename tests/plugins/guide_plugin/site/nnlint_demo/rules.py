import libcst as cst

from nnlint.api import Rule, RuleContext


class ZeroGradKeepsZeros(Rule):
    """## What it does
    Finds `optimizer.zero_grad(set_to_none=False)` inside a training loop.

    ## Why is this bad?
    Filling every gradient with zeros costs a memory write per parameter and step; setting them to
    `None` (the default since PyTorch 2.0) is cheaper and lets the optimizer skip untouched parameters.

    ## Example
    ```python
    import torch

    model = torch.nn.Linear(4, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for x in [torch.randn(2, 4)]:
        optimizer.zero_grad(set_to_none=False)
        model(x).sum().backward()
        optimizer.step()
    ```

    ## Use instead
    ```python
    import torch

    model = torch.nn.Linear(4, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for x in [torch.randn(2, 4)]:
        optimizer.zero_grad()
        model(x).sum().backward()
        optimizer.step()
    ```
    """

    code = "NND001"
    name = "zero-grad-keeps-zeros"
    summary = "zero_grad(set_to_none=False) in a training loop"

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        for loop in model.training_loops:
            for call in loop.calls:
                if call.method_name != "zero_grad" or model.object_of(call.receiver, call.scope).kind != "optimizer":
                    continue
                value = model.argument(call.node, 0, "set_to_none")
                if not (isinstance(value, cst.Name) and value.value == "False") or len(call.node.args) != 1:
                    continue
                fix = ctx.fix(
                    "call zero_grad() (set_to_none=True is the default)",
                    ctx.replace(call.node, call.node.with_changes(args=())),
                )
                ctx.report(
                    call.node,
                    "zero_grad(set_to_none=False) fills every gradient with zeros at each step; call zero_grad()",
                    fix=fix,
                )
