from __future__ import annotations

from nnlint.dynamic.experiment_results import experiment, experiments_of
from nnlint.dynamic.probe import Probe, RunView, fmt


class BatchSamplesMixed(Probe):
    """## What it does
    With `--experiments`, puts the model in eval mode after the first step and takes the gradient of
    sample 0's output (a fixed random projection of it) with respect to the whole input batch: every
    other sample's share must be zero. Integer inputs (token ids) have no gradient; there, the other
    samples' inputs are changed instead and sample 0's output must not move. Reported at the model call
    when the other samples' largest gradient (or change) exceeds `ratio` times sample 0's own. Models with
    sequence-first layers (RNNs, attention without `batch_first=True`) and inputs whose first axis is not
    the batch are not judged.

    ## Why is this bad?
    In eval mode samples are independent; when they are not, something mixes them across the batch axis:
    a `view`/`reshape` used to swap axes (`x.view(T, B, C)` of a `(B, T, C)` tensor), a softmax or a
    normalisation over axis 0. The model then learns from its batch neighbours and fails at batch size 1.

    ## Example
    ```python
    x = x.view(x.size(1), x.size(0), -1)  # (B, T, C) -> (T, B, C), not a transpose
    ```

    ## Use instead
    ```python
    x = x.transpose(0, 1)
    ```

    ## How to fix
    Find the reshape or reduction that crosses the batch axis; swap axes with `permute`/`transpose`.
    Options: `ratio` (1e-3).
    """

    code = "NN903"
    name = "batch-samples-mixed"
    summary = "in eval mode, one sample's output depends on another sample's input"
    default_options = {"ratio": 1e-3}

    def check(self, run: RunView) -> None:
        result = experiment(run, self.code)
        if result is None:
            return
        own, other, noise = (
            float(result.get("own", 0.0)),
            float(result.get("other", 0.0)),
            float(result.get("noise", 0.0)),
        )
        if own <= 0 or other <= self.options["ratio"] * own or other <= 10 * noise:
            return
        if result.get("method") == "gradient":
            how = (
                f"its gradient with respect to the other samples' inputs reaches {fmt(other)}, against {fmt(own)} "
                "with respect to its own (largest per sample: "
                f"{', '.join(fmt(v) for v in result.get('per_sample', []))})"
            )
        else:
            how = (
                f"changing only the other samples' inputs moved it by up to {fmt(other)} (its largest value is "
                f"{fmt(own)}; two identical forwards differ by {fmt(noise)})"
            )
        run.report(
            experiments_of(run.obs).get("model_where"),
            f"samples are mixed across the batch axis: in eval mode, sample 0's output depends on the other "
            f"{int(result.get('batch', 0)) - 1} samples of the batch; {how}; a view/reshape or a reduction crosses "
            "axis 0",
            {
                **{k: result.get(k) for k in ("method", "batch", "own", "other", "noise", "per_sample")},
                "thresholds": dict(self.options),
            },
        )
