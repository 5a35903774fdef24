from __future__ import annotations

from nnlint.dynamic.probe import NORM_LAYERS, Probe, RunView, fmt, input_out_of_scale
from nnlint.dynamic.probes.nn801_input_not_normalized import INPUT_SCALE_DEFAULTS

SKIPPED_LAYERS = NORM_LAYERS + ("Embedding", "EmbeddingBag")


class ActivationScale(Probe):
    """## What it does
    Measures the standard deviation of every hidden layer's output (layers with parameters, the output
    layer and normalisation layers left out) in the first training forward pass and reports layers far
    outside the 0.5-2 band that good initialisations aim for.

    ## Why is this bad?
    Glorot & Bengio (2010) and He et al. (2015) choose initial weights so activations keep unit scale
    through depth. Activations that shrink layer after layer starve the later layers (and their
    gradients); activations that grow saturate non-linearities and overflow.

    ## Example
    ```python
    for layer in model:
        if isinstance(layer, nn.Linear):
            nn.init.normal_(layer.weight, std=1.0)      # far too large for fan-in 512
    ```

    ## Use instead
    ```python
    for layer in model:
        if isinstance(layer, nn.Linear):
            nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
    ```

    ## How to fix
    Use fan-in-scaled initialisation (He for ReLU, Glorot for tanh), or normalisation layers.
    PyTorch's default initialisation shrinks activations by ~2.4x per ReLU layer, so the band is only
    enforced with a `tolerance` factor (default 20: report std < 0.5/20 or > 2*20). Options: `low` (0.5),
    `high` (2.0), `tolerance` (20). Not reported when the model input itself is unnormalised (NN801). A
    residual branch (a layer whose output is added back to a tensor of its own shape, `x + f(x)`) is not
    judged as vanishing: GPT-2's output projections (std 0.02/sqrt(2 n_layer)), Fixup and SkipInit make it
    small on purpose so that the sum stays at the scale of `x`.
    """

    code = "NN811"
    name = "activation-scale"
    summary = "activation standard deviation far outside 0.5-2 in a layer"
    default_options = {"low": 0.5, "high": 2.0, "tolerance": 20.0}

    def check(self, run: RunView) -> None:
        if input_out_of_scale(run, INPUT_SCALE_DEFAULTS) is not None:
            return
        low = self.options["low"] / self.options["tolerance"]
        high = self.options["high"] * self.options["tolerance"]
        offenders = [
            a
            for a in run.get("activations", [])
            if not a.get("is_output_layer")
            and a.get("std")
            and not str(a.get("module_type")).startswith(SKIPPED_LAYERS)
            and not low <= a["std"] <= high
            and not (a.get("residual") and a["std"] < low)  # a residual branch starts small on purpose
        ]
        if not offenders:
            return
        worst = max(offenders, key=lambda a: max(a["std"] / high, low / a["std"]))
        direction = "vanishing" if worst["std"] < low else "exploding"
        inputs = run.get("train_inputs", [])
        run.report(
            inputs[0].get("where") if inputs else run.get("step_where"),
            f"{direction} activations: the output of {worst['module']} ({worst['module_type']}) has std "
            f"{fmt(worst['std'])} in the "
            f"first forward pass (healthy {fmt(self.options['low'])}..{fmt(self.options['high'])}, reported outside "
            f"{fmt(low)}..{fmt(high)}); {len(offenders)} layer(s) affected",
            {"layers": {a["module"]: a["std"] for a in offenders[:16]}, "thresholds": dict(self.options)},
        )
