from __future__ import annotations

from typing import Optional

from nnlint.dynamic.probe import Event, Probe, RunView, training_losses
from nnlint.finding import Finding


class SigmoidIntoBceWithLogitsProbe(Probe):
    """## What it does
    Looks at the input of `binary_cross_entropy_with_logits`: every value in [0, 1] (a sigmoid output)
    confirms; values outside refute.

    ## Why is this bad?
    The loss applies sigmoid itself; a second sigmoid squeezes the logits into [0.5, 0.73] and gradients vanish.

    ## Example
    ```python
    loss = F.binary_cross_entropy_with_logits(torch.sigmoid(logits), y)
    ```

    ## Use instead
    ```python
    loss = F.binary_cross_entropy_with_logits(logits, y)
    ```

    ## How to fix
    Pass the raw logits.
    """

    code = "NN301"
    name = "sigmoid-into-bce-with-logits"
    summary = "confirms a BCE-with-logits input that lies in [0, 1]"

    min_values = 8

    def confirm(self, finding: Finding, run: RunView) -> Optional[bool]:
        def is_bug(event: Event) -> Optional[bool]:
            stats = event.get("input") or {}
            if stats.get("min") is None or stats.get("nonfinite"):
                return None
            numel = 1
            for size in event.get("input_shape") or []:
                numel *= size
            if numel < self.min_values:
                return None
            return stats["min"] >= 0.0 and stats["max"] <= 1.0

        return self.decide(finding, run, training_losses(run, ("bce_with_logits",)), is_bug)
