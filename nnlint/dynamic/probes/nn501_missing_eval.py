from __future__ import annotations

from typing import Optional

from nnlint.dynamic.probe import Event, Probe, RunView
from nnlint.finding import Finding


class MissingEvalProbe(Probe):
    """## What it does
    Looks at every forward pass run without gradients (evaluation): Dropout/BatchNorm modules still in
    training mode confirm; all of them in eval mode refute.

    ## Why is this bad?
    Dropout stays random and BatchNorm uses (and updates) batch statistics: metrics are wrong.

    ## Example
    ```python
    with torch.no_grad():
        accuracy = evaluate(model, val_loader)
    ```

    ## Use instead
    ```python
    model.eval()
    with torch.no_grad():
        accuracy = evaluate(model, val_loader)
    ```

    ## How to fix
    Call `model.eval()` before evaluating (and `model.train()` after).
    """

    code = "NN501"
    name = "missing-eval"
    summary = "confirms Dropout/BatchNorm layers left in training mode during a no-grad forward"

    def confirm(self, finding: Finding, run: RunView) -> Optional[bool]:
        events = [
            e
            for e in run.get("eval_forwards", [])
            if not e.get("grad_enabled") and (e.get("train_mode_layers") or e.get("eval_mode_layers"))
        ]

        def is_bug(event: Event) -> Optional[bool]:
            if event.get("train_mode_layers"):
                finding.evidence = {
                    **(finding.evidence or {}),
                    "layers_in_training_mode": event["train_mode_layers"][:10],
                }
                return True
            return False

        return self.decide(finding, run, events, is_bug, ("where",))
