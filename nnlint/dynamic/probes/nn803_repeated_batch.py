from __future__ import annotations

from nnlint.dynamic.probe import Probe, RunView


class RepeatedBatch(Probe):
    """## What it does
    Compares two consecutive training batches of the same epoch, and the samples inside the first batch:
    identical batches, or a batch whose samples are all the same, are reported. Full-batch training
    (a loader of one batch, or no loader) is not compared.

    ## Why is this bad?
    The model sees one example over and over: the loss falls while nothing general is learned. Typical
    causes: a `Dataset.__getitem__` that ignores its index, a batch fetched once outside the loop.

    ## Example
    ```python
    class Pairs(Dataset):
        def __getitem__(self, index):
            return self.x[0], self.y[0]     # index ignored
    ```

    ## Use instead
    ```python
    class Pairs(Dataset):
        def __getitem__(self, index):
            return self.x[index], self.y[index]
    ```

    ## How to fix
    Make sure each batch is drawn inside the loop and that the data set uses its index.
    """

    code = "NN803"
    name = "repeated-batch"
    summary = "consecutive batches (or all samples of a batch) are identical"
    default_options = {"min_samples": 4}

    def check(self, run: RunView) -> None:
        inputs = run.get("train_inputs", [])
        where = inputs[0].get("where") if inputs else run.get("step_where")
        repeated = run.get("repeated_batch")
        if repeated and repeated.get("identical"):
            run.report(
                where,
                "the first two training batches of the epoch are identical (the loader has "
                f"{repeated.get('batches_in_epoch')} batches per epoch)",
                {"identical_batches": 2, "batches_in_epoch": repeated.get("batches_in_epoch")},
            )
            return
        for entry in inputs[:1]:
            shape = entry.get("shape") or []
            if (
                entry.get("samples_identical")
                and not entry.get("constant")
                and shape
                and shape[0] >= self.options["min_samples"]
            ):
                run.report(
                    entry.get("where"),
                    f"all {shape[0]} samples of the first training batch are identical (input shape {shape})",
                    {"shape": shape, "min_samples": self.options["min_samples"]},
                )
