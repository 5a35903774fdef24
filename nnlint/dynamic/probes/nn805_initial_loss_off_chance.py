from __future__ import annotations

import math

from nnlint.dynamic.probe import Probe, RunView, fmt, training_losses


class InitialLossOffChance(Probe):
    """## What it does
    Compares the first training loss of a classifier with the loss of a uniform guess, -ln(1/C) for C
    classes (ln 2 per output for binary cross-entropy with logits), and reports it when it is much higher.

    ## Why is this bad?
    A freshly initialised classifier should be unsure of every class ("verify loss @ init", Karpathy's
    *A Recipe for Training Neural Networks*). A first loss several times ln C means the logits start huge:
    unnormalised inputs, a bad initialisation, a wrong output scale. (The converse is not evidence:
    softmax fed to CrossEntropyLoss also gives ~ln C; NN201 checks the loss input itself.)

    ## Example
    ```python
    nn.init.normal_(model.head.weight, std=10.0)
    ```

    ## Use instead
    ```python
    nn.init.normal_(model.head.weight, std=0.01)
    ```

    ## How to fix
    Normalise the inputs, use the default or a fan-in initialisation, and initialise the last layer small.
    Options: `max_ratio` (2.0: report when loss > max_ratio * ln C), `min_ratio` (0: off; a fine-tuned
    pretrained model legitimately starts below chance).
    """

    code = "NN805"
    name = "initial-loss-off-chance"
    summary = "the first classification loss is far from -ln(1/C)"
    default_options = {"max_ratio": 2.0, "min_ratio": 0.0}

    def check(self, run: RunView) -> None:
        seen = set()
        for event in training_losses(run, ("cross_entropy", "nll", "bce_with_logits")):
            key = tuple(map(tuple, event.get("where") or []))[:1]
            if key in seen or event.get("step", 0) != 0:
                continue
            seen.add(key)
            value = event.get("value")
            if value is None or value < 0:
                continue  # a negative "NLL" is NN302's evidence (logits fed to nll_loss), not an init problem
            stats = event.get("input") or {}
            if event["family"] == "nll" and not (
                stats.get("max", 1.0) <= 1e-6 and stats.get("row_logsumexp_max_abs", 1.0) < 1e-3
            ):
                continue  # only log-probabilities have a chance level
            classes = 2 if event["family"] == "bce_with_logits" else int(event.get("classes") or 0)
            if classes < 2:
                continue
            chance = math.log(classes)
            ratio = value / chance
            if ratio > self.options["max_ratio"] or ratio < self.options["min_ratio"]:
                run.report(
                    event.get("where"),
                    f"the first training loss is {fmt(value)}, {fmt(ratio)} times the chance level ln({classes}) = "
                    f"{fmt(chance)} (expected between {fmt(self.options['min_ratio'])}x and "
                    f"{fmt(self.options['max_ratio'])}x): "
                    "the initial logits are far too confident",
                    {
                        "loss": value,
                        "classes": classes,
                        "chance_loss": chance,
                        "ratio": ratio,
                        "thresholds": dict(self.options),
                    },
                )
