from __future__ import annotations

from nnlint.dynamic.probe import Probe, RunView, first_batch_degenerate, fmt


class DeadUnits(Probe):
    """## What it does
    For every ReLU in the first training forward pass, counts the units (features or channels) that
    output zero for every sample of the batch, and reports a layer where most units are dead.

    ## Why is this bad?
    A unit that is zero for every input gets no gradient and never recovers ("dying ReLU"): the layer has
    lost that capacity. Causes: large negative biases, a too-high learning rate, constant initialisation,
    unnormalised inputs.

    ## Example
    ```python
    nn.init.constant_(layer.bias, -5.0)
    ```

    ## Use instead
    ```python
    nn.init.zeros_(layer.bias)
    ```

    ## How to fix
    Fix the initialisation, normalise the inputs, lower the learning rate, or use LeakyReLU/GELU.
    Options: `max_dead_fraction` (0.5), `min_batch` (8 samples), `min_units` (4).
    """

    code = "NN808"
    name = "dead-units"
    summary = "ReLU-family units that output zero for the whole batch"
    default_options = {"max_dead_fraction": 0.5, "min_batch": 8, "min_units": 4}

    def check(self, run: RunView) -> None:
        if first_batch_degenerate(run):
            return  # NN802/NN803 already explain it
        worst = None
        for entry in run.get("relus", []):
            if entry["samples"] < self.options["min_batch"] or entry["units"] < self.options["min_units"]:
                continue
            fraction = entry["dead"] / entry["units"]
            if fraction > self.options["max_dead_fraction"] and (worst is None or fraction > worst[0]):
                worst = (fraction, entry)
        if worst is None:
            return
        fraction, entry = worst
        place = entry.get("module") or "a relu call"
        run.report(
            entry.get("where"),
            f"{entry['dead']} of {entry['units']} units of the ReLU in {place} output zero for all "
            f"{entry['samples']} samples "
            f"of the first batch ({fmt(fraction * 100)}% dead; threshold "
            f"{fmt(self.options['max_dead_fraction'] * 100)}%)",
            {
                "dead": entry["dead"],
                "units": entry["units"],
                "samples": entry["samples"],
                "module": entry.get("module"),
                "dead_fraction": fraction,
                "thresholds": dict(self.options),
            },
        )
