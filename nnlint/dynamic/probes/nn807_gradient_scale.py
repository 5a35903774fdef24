from __future__ import annotations

import math

from nnlint.dynamic.probe import Probe, RunView, fmt
from nnlint.dynamic.probes.nn810_update_ratio import MIN_ELEMENTS


class GradientScale(Probe):
    """## What it does
    At the first optimizer step, computes each weight's relative gradient ||g|| / ||w|| (embeddings,
    biases, norm-layer weights and tensors of fewer than 16 numbers left out) and reports when the
    layers' values span too many orders of magnitude (vanishing gradients when the small ones sit near
    the input, exploding when the large ones do) or when one is absurdly large.

    ## Why is this bad?
    Layers whose gradient is 10^-5 of another's do not learn (Glorot & Bengio, 2010): deep stacks of
    sigmoid/tanh without normalisation, or bad initialisation. Huge gradients make the first step wreck
    the weights.

    ## Example
    ```python
    layers = [nn.Linear(64, 64), nn.Sigmoid()] * 12
    model = nn.Sequential(*layers, nn.Linear(64, 10))
    ```

    ## Use instead
    ```python
    layers = [nn.Linear(64, 64), nn.LayerNorm(64), nn.ReLU()] * 12
    model = nn.Sequential(*layers, nn.Linear(64, 10))
    ```

    ## How to fix
    Use ReLU-family activations with He initialisation, normalisation layers, residual connections.
    Options: `max_spread_decades` (4), `max_relative_gradient` (1e3), `min_layers` (3).
    """

    code = "NN807"
    name = "gradient-scale"
    summary = "vanishing or exploding gradient norms per layer"
    default_options = {"max_spread_decades": 4.0, "max_relative_gradient": 1e3, "min_layers": 3}

    def check(self, run: RunView) -> None:
        layers = [
            (g["name"], g["grad_norm"] / g["weight_norm"])
            for g in run.get("grads", [])
            if not g.get("embedding")
            and g.get("weight_norm")
            and g.get("grad_norm")
            and math.prod(g.get("shape") or [MIN_ELEMENTS]) >= MIN_ELEMENTS
        ]
        if not layers:
            return
        where = run.get("step_where")
        name, largest = max(layers, key=lambda item: item[1])
        if largest > self.options["max_relative_gradient"]:
            run.report(
                where,
                f"exploding gradient: ||grad|| / ||weight|| of {name} is {fmt(largest)} at the first step "
                f"(threshold {fmt(self.options['max_relative_gradient'])})",
                {"layer": name, "relative_gradient": largest, "thresholds": dict(self.options)},
            )
            return
        if len(layers) < self.options["min_layers"]:
            return
        low_index = min(range(len(layers)), key=lambda i: layers[i][1])
        high_index = max(range(len(layers)), key=lambda i: layers[i][1])
        spread = math.log10(layers[high_index][1] / layers[low_index][1])
        if spread <= self.options["max_spread_decades"]:
            return
        kind = "vanishing" if low_index < high_index else "exploding"
        run.report(
            where,
            f"{kind} gradients: ||grad|| / ||weight|| ranges from {fmt(layers[low_index][1])} "
            f"({layers[low_index][0]}) to "
            f"{fmt(layers[high_index][1])} ({layers[high_index][0]}), {spread:.1f} orders of magnitude (threshold "
            f"{fmt(self.options['max_spread_decades'])})",
            {
                "relative_gradients": {n: v for n, v in layers[:32]},
                "spread_decades": spread,
                "kind": kind,
                "thresholds": dict(self.options),
            },
        )
