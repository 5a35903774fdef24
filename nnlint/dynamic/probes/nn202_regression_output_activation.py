from __future__ import annotations

from typing import Optional

from nnlint.dynamic.probe import Event, Probe, RunView, fmt, training_losses, unexplained
from nnlint.finding import Finding


class RegressionOutputActivationProbe(Probe):
    """## What it does
    Compares the range of a regression loss's targets with what the model's output activation can produce
    (sigmoid [0, 1], tanh [-1, 1], ReLU/Softplus [0, inf)), identified by the operation that produced the
    loss input. Targets outside confirm; targets inside refute (e.g. targets scaled to [0, 1] with sigmoid).

    ## Why is this bad?
    Outputs that cannot reach the targets leave a loss floor the model can never get below.

    ## Example
    ```python
    pred = torch.relu(self.out(h))      # targets include negative values
    ```

    ## Use instead
    ```python
    pred = self.out(h)
    ```

    ## How to fix
    Drop the output activation, or scale the targets into its range.
    """

    code = "NN202"
    name = "regression-output-activation"
    summary = "confirms a regression output activation that cannot reach the targets"

    RANGES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": (0.0, float("inf"))}
    default_options = {"min_values": 16, "min_negative_targets": 0.1, "min_zero_outputs": 0.05}

    def check(self, run: RunView) -> None:
        if not unexplained(run, self.code):
            return
        for event in training_losses(run, ("mse", "l1", "smooth_l1", "huber")):
            stats, target = event.get("input") or {}, event.get("target") or {}
            if stats.get("min") is None or stats.get("nonfinite") or "negative_fraction" not in target:
                continue
            values = 1
            for size in event.get("input_shape") or []:
                values *= size
            if (
                values < self.options["min_values"]
                or stats["min"] < 0
                or target["negative_fraction"] < self.options["min_negative_targets"]
            ):
                continue
            op = str(event.get("origin_op") or "").rsplit(".", 1)[-1]
            if op != "relu" and stats.get("zero_fraction", 0.0) < self.options["min_zero_outputs"]:
                continue  # a linear head can start all positive (a positive bias); a rectifier leaves exact zeros
            produced = f" (by {op})" if op else ""
            run.report(
                event.get("origin") or event.get("where"),
                f"the regression output{produced} is never negative (min {fmt(stats['min'])} over {values} values, "
                f"{fmt(100 * stats.get('zero_fraction', 0.0))}% exactly 0) but "
                f"{fmt(100 * target['negative_fraction'])}% of its targets are "
                f"(down to {fmt(target['min'])}): the model cannot reach them; drop the output activation",
                {
                    "output_min": stats["min"],
                    "output_max": stats.get("max"),
                    "zero_fraction": stats.get("zero_fraction"),
                    "target_range": [target["min"], target["max"]],
                    "negative_targets": target["negative_fraction"],
                    "origin_op": event.get("origin_op"),
                    "thresholds": dict(self.options),
                },
            )
            return

    def confirm(self, finding: Finding, run: RunView) -> Optional[bool]:
        def is_bug(event: Event) -> Optional[bool]:
            target = event.get("target")
            stats = event.get("input") or {}
            if not target:
                return None
            op = str(event.get("origin_op") or "").rsplit(".", 1)[-1]
            bounds = self.RANGES.get(op)
            if bounds is None:
                if stats.get("min") is not None and stats["min"] >= 0 and target["min"] < 0:
                    bounds = (0.0, float("inf"))
                else:
                    return None
            outside = target["min"] < bounds[0] or target["max"] > bounds[1]
            if outside:
                finding.evidence = {
                    **(finding.evidence or {}),
                    "target_range": [target["min"], target["max"]],
                    "output_range": list(bounds),
                }
            return outside

        return self.decide(finding, run, training_losses(run, ("mse", "l1", "smooth_l1", "huber")), is_bug)
