from __future__ import annotations

from nnlint.dynamic.probe import Probe, RunView, fmt, input_out_of_scale

INPUT_SCALE_DEFAULTS = {"max_abs_mean": 5.0, "max_std": 5.0, "min_std": 1e-3}


class InputNotNormalized(Probe):
    """## What it does
    Looks at the input of the model's first layer with parameters during the first training step and
    reports it when it is far from zero mean and unit scale (raw pixels in 0..255, prices in thousands).
    A first layer that is itself a normalisation layer (BatchNorm, LayerNorm) is left alone.

    ## Why is this bad?
    Default initialisations assume inputs of roughly unit scale (LeCun et al., *Efficient BackProp*, 1998).
    Inputs of scale 100 saturate activations, blow up the first loss and force a tiny learning rate.

    ## Example
    ```python
    x = torch.randint(0, 256, (64, 3, 32, 32)).float()   # raw pixel values
    loss = criterion(model(x), y)
    ```

    ## Use instead
    ```python
    x = (torch.randint(0, 256, (64, 3, 32, 32)).float() / 255 - mean) / std
    loss = criterion(model(x), y)
    ```

    ## How to fix
    Standardise inputs with statistics of the training split (`transforms.Normalize`, `StandardScaler`),
    or divide pixel values by 255. Thresholds: `max_abs_mean` (5), `max_std` (5), `min_std` (1e-3).
    """

    code = "NN801"
    name = "input-not-normalized"
    summary = "the first layer's input is far from zero mean / unit scale"
    default_options = dict(INPUT_SCALE_DEFAULTS)

    def check(self, run: RunView) -> None:
        entry = input_out_of_scale(run, self.options)
        if entry is None:
            return
        run.report(
            entry.get("where"),
            f"the first layer ({entry.get('module')}, {entry.get('module_type')}) receives inputs with mean "
            f"{fmt(entry['mean'])} and std {fmt(entry['std'])} (range "
            f"{fmt(entry.get('min'))}..{fmt(entry.get('max'))}); "
            f"expected |mean| <= {fmt(self.options['max_abs_mean'])} and {fmt(self.options['min_std'])} <= std <= "
            f"{fmt(self.options['max_std'])}: normalise the inputs",
            {
                "mean": entry["mean"],
                "std": entry["std"],
                "min": entry.get("min"),
                "max": entry.get("max"),
                "shape": entry.get("shape"),
                "module": entry.get("module"),
                "thresholds": dict(self.options),
            },
        )
