from __future__ import annotations

from typing import Optional

from nnlint.dynamic.probe import Probe, RunView, at_finding
from nnlint.finding import Finding


class LogOfProbabilitiesProbe(Probe):
    """## What it does
    Confirms the finding when the first NaN/Inf of the training step was produced by the operation at
    its line (one step rarely underflows, so no evidence is not a refutation).

    ## Why is this bad?
    log(0) = -inf: one underflowing probability turns the loss and then every weight into NaN.

    ## Example
    ```python
    loss = F.nll_loss(torch.log(torch.softmax(logits, 1)), y)
    ```

    ## Use instead
    ```python
    loss = F.nll_loss(torch.log_softmax(logits, 1), y)
    ```

    ## How to fix
    Use `log_softmax`/`logsigmoid`, or clamp with an epsilon before `log`.
    """

    code = "NN304"
    name = "log-of-probabilities"
    summary = "confirms a log whose output became non-finite in the first step"

    def confirm(self, finding: Finding, run: RunView) -> Optional[bool]:
        origin = run.get("non_finite", {})
        events = [e for e in (origin.get("nan"), origin.get("inf")) if e]
        return True if at_finding(finding, events, ("where",)) else None
