from __future__ import annotations

import math
import statistics

from nnlint.dynamic.probe import Probe, RunView, fmt


MIN_ELEMENTS = 16  # fewer weights than this have no scale a ratio could be judged against


class UpdateRatio(Probe):
    """## What it does
    Measures ||w_after - w_before|| / ||w_before|| for every weight matrix at the first optimizer step and
    reports when the median over layers is too large, or even the largest is too small. Weights whose
    gradient was zero or non-finite are left out (those are NN808/NN806/NN809's business), and so are
    tensors of fewer than 16 numbers (a `Linear(1, 1)` regression): the norm of a handful of weights
    drawn at random says nothing about a scale, and a first step may rightly move them by more than
    themselves. "Too large" needs a training loss from a loss function with a target (cross-entropy,
    MSE, ...): a placeholder objective such as `model(x).sum()` (a bug-report template) has no optimum and
    a gradient of arbitrary scale, so a large first step there says nothing about the learning rate.

    ## Why is this bad?
    The literature's rule of thumb (Karpathy, CS231n) is an update ratio around 1e-3, log10 within
    [-4, -2]: much larger and the learning rate destroys the weights, much smaller and nothing learns.
    The default band here is wider, [-6, -0.5], because at the very first step Adam-family optimisers
    move every weight by about the learning rate regardless of its gradient (m/sqrt(v) = 1), which
    gives ratios around 1e-2 to 1e-1 for healthy setups (measured on the clean corpus scripts).

    ## Example
    ```python
    optimizer = torch.optim.Adam(model.parameters(), lr=1.0)
    ```

    ## Use instead
    ```python
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    ```

    ## How to fix
    Run a learning-rate range test and pick the largest stable rate. Options: `min_log10` (-6),
    `max_log10` (-0.5).
    """

    code = "NN810"
    name = "update-ratio"
    summary = "update-to-weight ratio of a layer far from ~1e-3"
    default_options = {"min_log10": -6.0, "max_log10": -0.5}

    def check(self, run: RunView) -> None:
        ratios = [
            r for r in run.get("update_ratios", []) if r.get("ratio") and r.get("numel", MIN_ELEMENTS) >= MIN_ELEMENTS
        ]
        if not ratios:
            return
        logs = [math.log10(r["ratio"]) for r in ratios]
        median_log, largest_log = statistics.median(logs), max(logs)
        low, high = self.options["min_log10"], self.options["max_log10"]
        has_loss = any(e.get("phase") != "eval" for e in run.losses)  # a loss function with a target was seen
        if median_log > high and has_loss:
            measured, direction = median_log, "too large: the learning rate is too high"
        elif largest_log < low and median_log <= high:
            measured, direction = (
                largest_log,
                "too small even in the layer that moved most: the learning rate is too low",
            )
        else:
            return
        lrs = sorted({r.get("lr") for r in ratios if r.get("lr") is not None})
        run.report(
            run.get("step_where"),
            "the first optimizer step changed the weights by a "
            f"{'median' if measured == median_log else 'largest'} ratio "
            f"||dw|| / ||w|| of {fmt(10**measured)} (log10 {measured:.1f}; expected between {low:g} and {high:g}), "
            f"{direction}" + (f" (lr {', '.join(fmt(lr) for lr in lrs)})" if lrs else ""),
            {
                "median_log10": median_log,
                "largest_log10": largest_log,
                "ratios": {r["name"]: r["ratio"] for r in ratios[:16]},
                "learning_rates": lrs,
                "thresholds": dict(self.options),
            },
        )
