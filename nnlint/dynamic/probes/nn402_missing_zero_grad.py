from __future__ import annotations

from typing import Optional

from nnlint.dynamic.probe import Probe, RunView, unexplained
from nnlint.finding import Finding


class MissingZeroGradProbe(Probe):
    """## What it does
    At the backward call after the first optimizer step, checks whether the optimizer's parameters still
    hold non-zero gradients from the previous step (they would be summed): yes confirms, no refutes.
    Without a static finding (the loop lives in a trainer class or another module) it reports on its own
    when the evidence is decisive: the run made one optimizer, and every one of its parameters still
    holds a gradient at that backward. With two optimizers (a GAN's discriminator waiting for its next
    `zero_grad` while the generator trains) nothing is reported.

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

    def check(self, run: RunView) -> None:
        second = run.get("second_backward")
        if not unexplained(run, self.code) or not second or not second.get("params") or second.get("optimizers") != 1:
            return  # with two optimizers (a GAN), one model's gradients legitimately wait for its next zero_grad
        if second["params_with_stale_grad"] < second["params"]:
            return
        run.report(
            second.get("where"),
            f"the backward after the first optimizer step starts with every one of the {second['params']} "
            "parameters still holding "
            "the previous step's gradient: gradients accumulate across steps; clear them (optimizer.zero_grad()) "
            "every step",
            {"params": second["params"], "params_with_stale_grad": second["params_with_stale_grad"]},
        )

    def confirm(self, finding: Finding, run: RunView) -> Optional[bool]:
        second = run.get("second_backward")
        if not second or not second.get("params"):
            return None
        finding.evidence = {
            **(finding.evidence or {}),
            "params_with_stale_grad": second["params_with_stale_grad"],
            "params": second["params"],
        }
        return second["params_with_stale_grad"] > 0
