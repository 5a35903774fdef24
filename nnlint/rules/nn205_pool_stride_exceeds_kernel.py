from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import libcst as cst

from nnlint.analysis.model import Scope, SemanticModel
from nnlint.context import RuleContext
from nnlint.rule import Rule

_NN = "torch.nn."
_F = "torch.nn.functional."


def _pool_signatures() -> Dict[str, Tuple[int, int]]:
    """Pooling callables -> positions of (kernel_size, stride) when passed positionally."""
    table: Dict[str, Tuple[int, int]] = {}
    for dims in ("1d", "2d", "3d"):
        for kind in ("MaxPool", "AvgPool"):
            table[_NN + kind + dims] = (0, 1)
        for kind in ("max_pool", "avg_pool"):
            table[_F + kind + dims] = (1, 2)
            table["torch." + kind + dims] = (1, 2)
    for dims in ("1d", "2d", "3d"):
        table[_NN + "LPPool" + dims] = (1, 2)  # LPPool2d(norm_type, kernel_size, stride)
        table[_F + "lp_pool" + dims] = (2, 3)  # lp_pool2d(input, norm_type, kernel_size, stride)
    return table


_POOLS = _pool_signatures()


def _sizes(model: SemanticModel, expr: Optional[cst.BaseExpression], scope: Scope) -> Optional[List[float]]:
    """An int or a tuple/list of ints, as a list; None when not a literal."""
    if expr is None:
        return None
    if isinstance(expr, (cst.Tuple, cst.List)):
        values = [model.number(element.value, scope) for element in expr.elements]
        return None if any(v is None for v in values) else values  # type: ignore[return-value]
    value = model.number(expr, scope)
    return None if value is None else [value]


class PoolStrideExceedsKernel(Rule):
    """## What it does
    Finds pooling layers and calls (`nn.MaxPool2d`, `nn.AvgPool1d`, `F.max_pool2d`, `F.avg_pool3d`,
    `nn.LPPool2d`...) whose `stride` is larger than their `kernel_size` in some dimension. A window of
    size 1 (`nn.AvgPool2d(1, stride=2)`) is a deliberate subsample and is not reported.

    ## Why is this bad?
    With a stride larger than the window, consecutive windows leave gaps: the input pixels (or time
    steps) between them never reach the output. `MaxPool2d(2, stride=3)` ignores more than half of its
    input. It is almost always a typo for `stride=2`, or a confusion of the kernel and stride arguments,
    and nothing fails: the network just sees less of the data.

    ## Example
    ```python
    import torch.nn as nn

    features = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, stride=3))
    ```

    ## Use instead
    ```python
    import torch.nn as nn

    features = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
    stem_pool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
    ```

    ## How to fix
    Use a stride no larger than the kernel (omit `stride` to get `stride = kernel_size`). To shrink the
    input faster, use a larger kernel, or a strided convolution that learns what to keep.
    """

    code = "NN205"
    name = "pool-stride-exceeds-kernel"
    summary = "pooling stride larger than its kernel: input pixels between windows are skipped"

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        for call in model.calls:
            qualname = model.callee_qualname(call.node, call.scope) or ""
            positions = _POOLS.get(qualname or "")
            if positions is None or any(arg.star for arg in call.node.args):
                continue
            dilation = model.number(model.argument(call.node, None, "dilation"), call.scope)
            if model.argument(call.node, None, "dilation") is not None and dilation != 1:
                continue  # dilated windows have gaps of their own
            kernel = _sizes(model, model.argument(call.node, positions[0], "kernel_size"), call.scope)
            stride = _sizes(model, model.argument(call.node, positions[1], "stride"), call.scope)
            if not kernel or not stride:
                continue  # stride absent, None or not a literal: defaults to the kernel size
            width = max(len(kernel), len(stride))
            if len(kernel) not in (1, width) or len(stride) not in (1, width):
                continue
            kernel_full = kernel * width if len(kernel) == 1 else kernel
            stride_full = stride * width if len(stride) == 1 else stride
            if not any(s > k for k, s in zip(kernel_full, stride_full)):
                continue
            if all(k == 1 for k in kernel_full):
                continue  # a 1-wide window is a plain subsample (x[..., ::2, ::2]), written on purpose
            short = qualname.rsplit(".", 1)[-1]
            ctx.report(
                call.node,
                f"{short} has stride {_fmt(stride)} larger than its kernel {_fmt(kernel)}: "
                "input between the windows is never pooled; use stride <= kernel_size",
                evidence={"kernel_size": kernel, "stride": stride},
            )


def _fmt(values: List[float]) -> str:
    ints = [int(v) if float(v).is_integer() else v for v in values]
    return str(ints[0]) if len(ints) == 1 else str(tuple(ints))
