from __future__ import annotations

from typing import Optional

from nnlint.dynamic.probe import Event, Probe, RunView, unexplained
from nnlint.finding import Finding


class MissingEvalProbe(Probe):
    """## What it does
    Looks at every forward pass run without gradients (evaluation): Dropout/BatchNorm modules still in
    training mode confirm; all of them in eval mode refute. Without a static finding (the evaluation lives
    in another function or module) it reports on its own when the evidence is decisive: after the first
    optimizer step, the model that optimizer trains ran a forward without gradients while Dropout layers
    (p > 0) or BatchNorm layers were in training mode. Forwards of other models (a frozen teacher, an EMA
    copy) and `Dropout(p=0)` say nothing.

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

    def check(self, run: RunView) -> None:
        if not unexplained(run, self.code):
            return
        for event in run.get("eval_forwards", []):
            layers = event.get("train_mode_layers") or []
            if event.get("grad_enabled") or not event.get("optimized") or not layers:
                continue
            shown = ", ".join(layers[:4]) + (f" and {len(layers) - 4} more" if len(layers) > 4 else "")
            run.report(
                event.get("where"),
                f"an evaluation forward of the trained model {event.get('model')} (no gradients, after the first "
                f"optimizer step) ran with {len(layers)} Dropout/BatchNorm layer(s) in training mode ({shown}): "
                "dropout stays random and BatchNorm uses and updates batch statistics, so the metrics are wrong; "
                "call model.eval() before evaluating and model.train() after",
                {"layers_in_training_mode": layers[:10], "model": event.get("model"), "phase": event.get("phase")},
            )
            return

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
