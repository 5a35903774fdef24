from __future__ import annotations

from typing import Optional

from nnlint.dynamic.probe import Probe, RunView
from nnlint.finding import Finding


class MissingTrainAfterEvalProbe(Probe):
    """## What it does
    Looks at the training forward passes (the first ones, and the first one after an evaluation): all
    Dropout/BatchNorm modules in eval mode confirm; modules back in training mode refute.

    ## Why is this bad?
    After the first evaluation the model trains without dropout and with frozen BatchNorm statistics.

    ## Example
    ```python
    for epoch in range(n):
        train_one_epoch(model)
        model.eval(); validate(model)
    ```

    ## Use instead
    ```python
    for epoch in range(n):
        model.train(); train_one_epoch(model)
        model.eval(); validate(model)
    ```

    ## How to fix
    Call `model.train()` at the start of every training epoch.
    """

    code = "NN502"
    name = "missing-train-after-eval"
    summary = "confirms a training step taken while Dropout/BatchNorm layers are in eval mode"

    def confirm(self, finding: Finding, run: RunView) -> Optional[bool]:
        late = run.get("late_train_forward")
        forwards = ([late] if late else []) + list(run.get("train_forwards", []))
        forwards = [f for f in forwards if f.get("train_mode_layers") or f.get("eval_mode_layers")]
        if any(f.get("eval_mode_layers") and not f.get("train_mode_layers") for f in forwards):
            bad = next(f for f in forwards if f.get("eval_mode_layers") and not f.get("train_mode_layers"))
            finding.evidence = {
                **(finding.evidence or {}),
                "layers_in_eval_mode_while_training": bad["eval_mode_layers"][:10],
            }
            return True
        if late and late.get("train_mode_layers"):
            return False
        return None
