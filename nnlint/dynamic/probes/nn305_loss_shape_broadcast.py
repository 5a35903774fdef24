from __future__ import annotations

from typing import Optional

from nnlint.dynamic.probe import Event, Probe, RunView, training_losses
from nnlint.finding import Finding


class LossShapeBroadcastProbe(Probe):
    """## What it does
    Compares the shapes at the loss call: different shapes that broadcast (e.g. (N, 1) and (N,)) confirm;
    equal shapes refute.

    ## Why is this bad?
    (N, 1) against (N,) broadcasts to (N, N): the loss compares every prediction with every target.

    ## Example
    ```python
    loss = F.mse_loss(model(x), y)      # (N, 1) vs (N,)
    ```

    ## Use instead
    ```python
    loss = F.mse_loss(model(x).squeeze(1), y)
    ```

    ## How to fix
    Make the shapes equal (`squeeze`/`unsqueeze`/`view`).
    """

    code = "NN305"
    name = "loss-shape-broadcast"
    summary = "confirms a pointwise loss whose prediction and target shapes differ and broadcast"

    POINTWISE = ("mse", "l1", "smooth_l1", "huber", "bce", "bce_with_logits", "soft_margin")

    def confirm(self, finding: Finding, run: RunView) -> Optional[bool]:
        def is_bug(event: Event) -> Optional[bool]:
            if event.get("target_shape") is None:
                return None
            if event.get("broadcasts"):
                finding.evidence = {
                    **(finding.evidence or {}),
                    "input_shape": event["input_shape"],
                    "target_shape": event["target_shape"],
                }
                return True
            return event["input_shape"] == event["target_shape"] and False

        return self.decide(finding, run, training_losses(run, self.POINTWISE), is_bug)
