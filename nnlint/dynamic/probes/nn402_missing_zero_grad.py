from __future__ import annotations

from typing import Optional

from nnlint.dynamic.probe import Probe, RunView
from nnlint.finding import Finding


class MissingZeroGradProbe(Probe):
    """## What it does
    At the backward call after the first optimizer step, checks whether the optimizer's parameters still
    hold non-zero gradients from the previous step (they would be summed): yes confirms, no refutes.

    ## Why is this bad?
    Gradients accumulate across steps, so every update uses the sum of all past gradients.

    ## Example
    ```python
    loss.backward(); optimizer.step()
    ```

    ## Use instead
    ```python
    optimizer.zero_grad(); loss.backward(); optimizer.step()
    ```

    ## How to fix
    Call `optimizer.zero_grad()` once per step.
    """

    code = "NN402"
    name = "missing-zero-grad"
    summary = "confirms gradients that still hold the previous step's values at the next backward"

    def confirm(self, finding: Finding, run: RunView) -> Optional[bool]:
        second = run.get("second_backward")
        if not second or not second.get("params"):
            return None
        finding.evidence = {**(finding.evidence or {}), "params_with_stale_grad": second["params_with_stale_grad"], "params": second["params"]}
        return second["params_with_stale_grad"] > 0
