from __future__ import annotations

from nnlint.dynamic.probe import Probe, RunView


class DegenerateInput(Probe):
    """## What it does
    Reports a training batch whose model input is all zeros, one constant value, or holds NaN/Inf.

    ## Why is this bad?
    The network cannot learn anything from a constant input; a NaN in the input poisons every weight at
    the first step. It usually means a loading bug (an empty image, a wrong column, a failed decode).

    ## Example
    ```python
    x = torch.zeros(batch_size, 20)          # placeholder never replaced by data
    loss = criterion(model(x), y)
    ```

    ## Use instead
    ```python
    x = features[indices]
    loss = criterion(model(x), y)
    ```

    ## How to fix
    Inspect the data pipeline that produced the batch (print one batch); drop or impute NaN values.
    """

    code = "NN802"
    name = "degenerate-input"
    summary = "an input batch that is all zeros, constant, or holds NaN/Inf"

    def check(self, run: RunView) -> None:
        for entry in run.get("train_inputs", []):
            if entry.get("empty"):
                continue
            if entry.get("nonfinite"):
                what = f"holds {entry['nonfinite']} NaN/Inf values"
            elif entry.get("all_zero"):
                what = "is all zeros"
            elif entry.get("constant"):
                what = f"holds one constant value ({entry.get('min')})"
            else:
                continue
            run.report(
                entry.get("where"),
                f"the model's input batch (shape {entry.get('shape')}, {entry.get('dtype')}) {what}",
                {
                    "shape": entry.get("shape"),
                    "nonfinite": entry.get("nonfinite"),
                    "min": entry.get("min"),
                    "max": entry.get("max"),
                    "phase": entry.get("phase"),
                },
            )
            return
