from __future__ import annotations

from typing import Optional

from nnlint.dynamic.probe import Event, Probe, RunView
from nnlint.finding import Finding


class DefaultGradClippingProbe(Probe):
    """## What it does
    Records the gradient norm (or largest value) that `clip_grad_norm_`/`clip_grad_value_` sees at the first
    step: above the threshold means clipping is actively rescaling, which confirms the finding.

    ## Why is this bad?
    Clipping that is active from the first step hides a learning rate that is too high.

    ## Example
    ```python
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    ```

    ## Use instead
    ```python
    # find the largest stable learning rate first; clip only if spikes remain
    ```

    ## How to fix
    Lower the learning rate until training is stable without clipping; keep clipping as a guard, with a measured
    threshold.
    """

    code = "NN401"
    name = "default-grad-clipping"
    summary = "confirms gradient clipping that is already rescaling at the first step"

    def confirm(self, finding: Finding, run: RunView) -> Optional[bool]:
        def is_bug(event: Event) -> Optional[bool]:
            if event.get("before") is None:
                return None
            if event["before"] > event["threshold"]:
                finding.evidence = {
                    **(finding.evidence or {}),
                    "value_before_clipping": event["before"],
                    "threshold": event["threshold"],
                }
                return True
            return None

        return self.decide(finding, run, run.get("clips", []), is_bug, ("where",))
