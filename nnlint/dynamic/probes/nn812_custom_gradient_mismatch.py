from __future__ import annotations

from nnlint.dynamic.probe import Probe, RunView, fmt


class CustomGradientMismatch(Probe):
    """## What it does
    The first time each custom `torch.autograd.Function` defined in your code is applied during training,
    its `backward` is compared (in float64, with the same random seed for every evaluation) with a central
    finite difference of its `forward` along random directions. Deliberate gradient manipulations stay
    silent: a forward that returns its input unchanged (gradient reversal/scaling/clipping) and a locally
    constant forward (straight-through estimators for rounding or sign).

    ## Why is this bad?
    A wrong hand-written backward trains the model on a gradient of some other function: the loss may
    still fall a little, and nothing ever raises an error.

    ## Example
    ```python
    class Square(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x
        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * x              # should be 2 * x
    ```

    ## Use instead
    ```python
    class Square(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x
        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 2 * x
    ```

    ## How to fix
    Fix `backward`, and keep a `torch.autograd.gradcheck` test for it. Option: `max_rel_error` (1e-2).
    """

    code = "NN812"
    name = "custom-gradient-mismatch"
    summary = "a custom autograd.Function's backward disagrees with a numerical gradient"
    default_options = {"max_rel_error": 1e-2}

    def check(self, run: RunView) -> None:
        for entry in run.get("custom_functions", []):
            error = entry.get("rel_error")
            if error is None or entry.get("identity_forward") or entry.get("constant_forward"):
                continue
            if error <= self.options["max_rel_error"]:
                continue
            run.report(
                entry.get("definition") or entry.get("where"),
                f"the backward of {entry['name']} disagrees with a numerical gradient of its forward: directional "
                "derivative "
                f"{fmt(entry.get('analytic'))} (backward) vs {fmt(entry.get('numeric'))} (finite difference), "
                "relative error "
                f"{fmt(error)} (threshold {fmt(self.options['max_rel_error'])})",
                {
                    "function": entry["name"],
                    "analytic": entry.get("analytic"),
                    "numeric": entry.get("numeric"),
                    "relative_error": error,
                    "thresholds": dict(self.options),
                },
            )
