from __future__ import annotations

from typing import Any, Dict, Optional

from nnlint.dynamic.probe import Probe, RunView, first_batch_degenerate, fmt, training_losses

UNSHUFFLED_SAMPLERS = ("SequentialSampler",)


class SingleClassBatch(Probe):
    """## What it does
    Looks at the labels a classification loss receives in the first training batch. If every label is
    the same class although a batch that uniform is improbable (under the class frequencies of the data set
    when nnlint can read them, else under balanced classes), it is reported. Only labels that come from the
    loader's batch (moved, cast, reshaped or indexed on the way) are judged: a target made in the step itself
    (a GAN's `torch.full((b,), real_label)`, `label.fill_(fake_label)`, `torch.ones_like(score)`) is not the data's.
    Unshuffled loaders are NN101's business and are not reported here.

    ## Why is this bad?
    A batch of one class pushes the model to predict that class for everything; a data set whose labels are
    all one class (a label column read wrongly, a filter gone wrong) cannot train a classifier at all.

    ## Example
    ```python
    y = torch.zeros(len(x), dtype=torch.long)      # labels lost on the way
    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
    ```

    ## Use instead
    ```python
    y = torch.as_tensor(frame["label"].to_numpy())
    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
    ```

    ## How to fix
    Print the label counts of the data set and of a batch; fix the labels or sample classes in balance.
    Options: `min_batch` (8 labels at least), `max_chance` (1e-3: report only batches less likely than this).
    """

    code = "NN804"
    name = "single-class-batch"
    summary = "every label in a training batch is the same class"
    default_options = {"min_batch": 8, "max_chance": 1e-3}

    def check(self, run: RunView) -> None:
        if first_batch_degenerate(run):
            return  # NN802/NN803 already explain it
        loaders = run.get("loaders", [])
        if loaders and loaders[0].get("sampler") in UNSHUFFLED_SAMPLERS:
            return
        dataset = (loaders[0].get("dataset_labels") if loaders else None) or None
        for event in training_losses(run, ("cross_entropy", "nll", "bce", "bce_with_logits"))[:1]:
            labels = event.get("labels")
            if not labels or len(labels["counts"]) != 1 or labels["n"] < self.options["min_batch"]:
                continue
            if event.get("labels_from_batch") is False:
                continue  # one class made in the step itself (a GAN's "real" target), not the data's labels
            ((label, _),) = labels["counts"].items()
            chance = self._chance(label, labels["n"], event, dataset)
            if chance is None or chance >= self.options["max_chance"]:
                continue
            evidence: Dict[str, Any] = {
                "label": label,
                "batch_labels": labels["n"],
                "chance": chance,
                "thresholds": dict(self.options),
            }
            if dataset is not None:
                evidence["dataset_counts"] = dataset["counts"]
            if dataset is not None and len(dataset["counts"]) == 1:
                (only,) = dataset["counts"]
                message = (
                    f"every label in the training data set is class {only} ({dataset['n']} samples): nothing "
                    "can be learned"
                )
            else:
                message = (
                    f"all {labels['n']} labels of the first training batch are class {label}; a batch this uniform has "
                    f"probability {fmt(chance)} by chance (threshold {fmt(self.options['max_chance'])})"
                )
            run.report(event.get("where"), message, evidence)
            return

    @staticmethod
    def _chance(label: str, n: int, event: Dict[str, Any], dataset: Optional[Dict[str, Any]]) -> Optional[float]:
        if dataset is not None and dataset.get("n"):
            share = dataset["counts"].get(label, 0) / dataset["n"]
            if len(dataset["counts"]) == 1:
                return 0.0
            return share**n
        classes = event.get("classes") or (2 if event.get("family") in ("bce", "bce_with_logits") else None)
        if not classes or classes < 2:
            return None
        return (1.0 / classes) ** (n - 1)
