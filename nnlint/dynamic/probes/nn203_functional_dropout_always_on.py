from __future__ import annotations

from typing import Optional

from nnlint.dynamic.probe import Probe, RunView
from nnlint.finding import Finding


class FunctionalDropoutAlwaysOnProbe(Probe):
    """## What it does
    Watches `F.dropout` (and variants) while the calling module is in eval mode: `training=True` there
    confirms; `training=False` refutes.

    ## Why is this bad?
    Evaluation results become random and pessimistic; inference quality drops.

    ## Example
    ```python
    x = F.dropout(x, p=0.5)
    ```

    ## Use instead
    ```python
    x = F.dropout(x, p=0.5, training=self.training)
    ```

    ## How to fix
    Pass `training=self.training`, or use an `nn.Dropout` module.
    """

    code = "NN203"
    name = "functional-dropout-always-on"
    summary = "confirms functional dropout that stays active while the model is in eval mode"

    def confirm(self, finding: Finding, run: RunView) -> Optional[bool]:
        events = [e for e in run.get("dropouts", []) if e.get("module_training") is False]
        return self.decide(finding, run, events, lambda e: bool(e.get("training_arg")), ("where",))
