from nnlint.api import Probe, RunView, Severity


class TinyTrainingBatch(Probe):
    """## What it does
    Reports a training DataLoader that yields batches smaller than `min_batch_size` samples (default:
    2, i.e. one sample per step), as seen when `nnlint --dynamic` runs the script.

    ## Why is this bad?
    Usually a debugging setting left behind: every step sees one sample, so the run is many times
    slower than batched training, the gradient is as noisy as it gets, and BatchNorm layers estimate
    their statistics from a single sample.

    ## Example
    ```python
    loader = DataLoader(train_set, batch_size=1, shuffle=True)
    ```

    ## Use instead
    ```python
    loader = DataLoader(train_set, batch_size=64, shuffle=True)
    ```

    ## How to fix
    Train with batches (32 to 256 samples is a good start). Option: `min_batch_size`.
    """

    code = "NNX002"
    name = "tiny-training-batch"
    summary = "the training DataLoader yields single-sample batches"
    severity = Severity.INFO
    default_options = {"min_batch_size": 2}

    def check(self, run: RunView) -> None:
        for loader in run.get("loaders", []):
            batch_size = loader.get("batch_size")
            if batch_size is not None and batch_size < self.options["min_batch_size"]:
                run.report(
                    run.get("step_where"),
                    f"the training DataLoader yields batches of {batch_size} sample(s); train with batches of at least "
                    f"{self.options['min_batch_size']}",
                    {"batch_size": batch_size, "min_batch_size": self.options["min_batch_size"]},
                )
