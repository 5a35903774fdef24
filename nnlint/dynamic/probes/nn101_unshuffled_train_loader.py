from __future__ import annotations

from typing import Any, Dict, List, Optional

from nnlint.dynamic.probe import Probe, RunView, training_losses, unexplained
from nnlint.finding import Finding

_CLASSIFICATION = ("cross_entropy", "nll", "bce", "bce_with_logits")


class UnshuffledTrainLoaderProbe(Probe):
    """## What it does
    Confirms a static NN101 finding when the training loader samples sequentially and the labels it
    delivers first (the data set's first batches when readable, else the loss targets of the first two
    batches) are all one class or sorted. An unshuffled loader over already-shuffled data is left unconfirmed.
    Without a static finding (the loader's options came from a config the source could not read) it reports
    on its own when the evidence is decisive: the training loader samples sequentially, a classification
    loss is trained on the batches' labels (not a reconstruction BCE over images, not a target made in the
    step), and the labels of the whole data set (read from it, at least two batches of them, two
    classes or more) are sorted by class. It reports at the loop that iterates the loader.

    ## Why is this bad?
    Sorted batches make every step pull the model towards one class; the loss oscillates and generalisation suffers.

    ## Example
    ```python
    loader = DataLoader(train_set, batch_size=64)
    ```

    ## Use instead
    ```python
    loader = DataLoader(train_set, batch_size=64, shuffle=True)
    ```

    ## How to fix
    Pass `shuffle=True` (or a random sampler) to the training loader.
    """

    code = "NN101"
    name = "unshuffled-train-loader"
    summary = "confirms an unshuffled training loader whose first batches are one class or sorted"

    def check(self, run: RunView) -> None:
        loaders = run.get("loaders", [])
        if not unexplained(run, self.code) or not loaders or loaders[0].get("sampler") != "SequentialSampler":
            return
        loader = loaders[0]
        labels = loader.get("dataset_labels")
        batch = int(loader.get("batch_size") or 1)
        if not labels or len(labels["counts"]) < 2 or labels["n"] < 2 * batch:
            return
        if not (labels["non_decreasing"] or labels["non_increasing"]):
            return
        if not any(_on_batch_labels(loss) for loss in training_losses(run, _CLASSIFICATION)):
            return  # no loss is trained on the batches' labels (a reconstruction BCE, a GAN's real/fake target)
        order = "increasing" if labels["non_decreasing"] else "decreasing"
        counts = ", ".join(f"{label}: {count}" for label, count in sorted(labels["counts"].items())[:6])
        run.report(
            loader.get("where") or run.get("step_where"),
            f"the training loader samples sequentially (SequentialSampler) and its {labels['n']} labels are sorted "
            "by class "
            f"({order}; {counts}): every batch holds one or two classes; pass shuffle=True",
            {
                "sampler": "SequentialSampler",
                "dataset_counts": labels["counts"],
                "order": order,
                "first_labels": (loader.get("dataset_label_head") or {}).get("head"),
            },
        )

    def confirm(self, finding: Finding, run: RunView) -> Optional[bool]:
        loaders = run.get("loaders", [])
        if not loaders or loaders[0].get("sampler") != "SequentialSampler":
            return None
        head = loaders[0].get("dataset_label_head")
        if head is None:
            labels: List[Any] = [e.get("labels") for e in training_losses(run, _CLASSIFICATION)[:2]]
            labels = [entry for entry in labels if entry]
            if not labels:
                return None
            sequence = [label for entry in labels for label in entry["head"]]
            head = {
                "counts": {str(v): 1 for v in set(sequence)},
                "non_decreasing": sequence == sorted(sequence),
                "non_increasing": sequence == sorted(sequence, reverse=True),
            }
        if len(head["counts"]) == 1 or head["non_decreasing"] or head["non_increasing"]:
            finding.evidence = {
                **(finding.evidence or {}),
                "first_labels": head.get("head"),
                "sampler": "SequentialSampler",
            }
            return True
        return None


def _on_batch_labels(loss: Dict[str, Any]) -> bool:
    """A classification loss whose targets are class labels (cross-entropy's, or a binary loss's recorded
    labels) and, as far as the run tracked them, come from the loader's batch."""
    if loss.get("family") not in ("cross_entropy", "nll") and "labels" not in loss:
        return False
    return loss.get("labels_from_batch") is not False
