from __future__ import annotations

from typing import Optional

from nnlint.dynamic.probe import Event, Probe, RunView, fmt, training_losses, unexplained
from nnlint.finding import Finding


class SoftmaxIntoCrossEntropyProbe(Probe):
    """## What it does
    Looks at the input of `cross_entropy` itself (the loss value lies: softmax outputs give ~ln C too):
    rows in [0, 1] summing to 1 (probabilities), or rows whose logsumexp is 0 (log-probabilities), confirm;
    anything else (raw logits) refutes. Without a static finding (softmax inside a library model, or where
    the source could not follow it) rows of probabilities (every value in [0, 1], every row summing to 1
    within 1e-3, at least `min_rows` rows of 2 classes or more) are reported on their own, at the softmax
    that produced them when it is known. Log-probabilities are not: cross-entropy of log-softmax output
    equals that of the logits.

    ## Why is this bad?
    CrossEntropyLoss applies log-softmax itself; a second softmax squashes the gradients and stalls training.

    ## Example
    ```python
    loss = F.cross_entropy(torch.softmax(logits, dim=1), y)
    ```

    ## Use instead
    ```python
    loss = F.cross_entropy(logits, y)
    ```

    ## How to fix
    Feed raw logits to the loss; apply softmax only for reporting.
    """

    code = "NN201"
    name = "softmax-into-cross-entropy"
    summary = "confirms a cross-entropy loss whose input rows are probabilities or log-probabilities"

    tolerance = 1e-3
    default_options = {"min_rows": 2}

    def check(self, run: RunView) -> None:
        if not unexplained(run, self.code):
            return
        for event in training_losses(run, ("cross_entropy",)):
            stats = event.get("input") or {}
            if (
                not stats.get("finite")
                or stats.get("classes", 0) < 2
                or stats.get("rows", 0) < self.options["min_rows"]
            ):
                continue
            if not (stats["min"] >= 0 and stats["max"] <= 1 and stats["row_sum_max_dev"] < self.tolerance):
                continue
            op = str(event.get("origin_op") or "").rsplit(".", 1)[-1]
            run.report(
                event.get("origin") or event.get("where"),
                f"cross-entropy receives probabilities{' from ' + op if op else ''}: all {stats['rows']} rows of "
                f"{stats['classes']} classes lie in "
                f"[{fmt(stats['min'])}, {fmt(stats['max'])}] and sum to 1 (largest deviation "
                f"{fmt(stats['row_sum_max_dev'])}); "
                "it applies log-softmax itself, so pass the raw logits",
                {
                    "loss_input_rows": "probabilities",
                    "rows": stats["rows"],
                    "classes": stats["classes"],
                    "min": stats["min"],
                    "max": stats["max"],
                    "row_sum_max_deviation": stats["row_sum_max_dev"],
                    "origin_op": event.get("origin_op"),
                },
            )
            return

    def confirm(self, finding: Finding, run: RunView) -> Optional[bool]:
        def is_bug(event: Event) -> Optional[bool]:
            stats = event.get("input") or {}
            if not stats.get("finite") or stats.get("classes", 0) < 2:
                return None
            probabilities = stats["min"] >= 0 and stats["max"] <= 1 and stats["row_sum_max_dev"] < self.tolerance
            log_probabilities = stats["max"] <= 1e-6 and stats["row_logsumexp_max_abs"] < self.tolerance
            if probabilities or log_probabilities:
                finding.evidence = {
                    **(finding.evidence or {}),
                    "loss_input_rows": "probabilities" if probabilities else "log-probabilities",
                    "row_sum_max_deviation": stats["row_sum_max_dev"],
                    "min": stats["min"],
                    "max": stats["max"],
                }
                return True
            return False

        return self.decide(finding, run, training_losses(run, ("cross_entropy",)), is_bug)
