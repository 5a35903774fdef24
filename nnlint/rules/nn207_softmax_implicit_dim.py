from __future__ import annotations

from typing import Dict

import libcst as cst

from nnlint.api import Rule, RuleContext

_F = "torch.nn.functional."
# softmax-family callables -> the position `dim` takes when passed positionally
_FUNCTIONS: Dict[str, int] = {
    _F + "softmax": 1,
    _F + "log_softmax": 1,
    _F + "softmin": 1,
    "torch.softmax": 1,
    "torch.log_softmax": 1,
    "torch.special.softmax": 1,
    "torch.special.log_softmax": 1,
    "torch.nn.Softmax": 0,
    "torch.nn.LogSoftmax": 0,
    "torch.nn.Softmin": 0,
}


class SoftmaxImplicitDim(Rule):
    """## What it does
    Finds `softmax`, `log_softmax` and `softmin` (functions and `nn.Softmax`/`nn.LogSoftmax`/`nn.Softmin`
    modules) called without `dim`.

    ## Why is this bad?
    Without `dim`, PyTorch guesses the axis from the number of dimensions (axis 0 for 0-, 1- and 3-D
    inputs, axis 1 otherwise) and only warns. The guess is right for a `(batch, classes)` matrix and
    silently wrong elsewhere: for a 3-D `(batch, seq, classes)` tensor it normalises across the batch,
    and for a single unbatched image `(C, H, W)` across channels. The result still looks like
    probabilities, so nothing fails.

    ## Example
    ```python
    import torch.nn as nn
    import torch.nn.functional as F

    head = nn.Sequential(nn.Linear(64, 10), nn.LogSoftmax())
    probs = F.softmax(logits)
    ```

    ## Use instead
    ```python
    import torch.nn as nn
    import torch.nn.functional as F

    head = nn.Sequential(nn.Linear(64, 10), nn.LogSoftmax(dim=1))
    probs = F.softmax(logits, dim=-1)
    probs = logits.softmax(-1)
    ```

    ## How to fix
    Pass the class axis explicitly: `dim=-1` (or `dim=1` for `(N, C, ...)` tensors).
    """

    code = "NN207"
    name = "softmax-implicit-dim"
    summary = "softmax/log_softmax/nn.Softmax without dim: the axis is guessed from the input's rank"

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        for call in model.calls:
            qualname = model.callee_qualname(call.node, call.scope) or ""
            position = _FUNCTIONS.get(qualname or "")
            if position is None:
                continue
            if any(arg.star for arg in call.node.args):
                continue  # *args / **kwargs may carry dim
            dim = model.argument(call.node, position, "dim")
            if dim is not None and not (isinstance(dim, cst.Name) and dim.value == "None"):
                continue  # an explicit axis (dim=None is the implicit guess spelled out)
            short = qualname.rsplit(".", 1)[-1]
            ctx.report(
                call.node,
                f"{short} without dim: PyTorch guesses the axis from the input's rank "
                "(axis 0 for 1-D and 3-D inputs); pass dim explicitly, e.g. dim=-1",
                evidence={"callable": qualname},
            )
