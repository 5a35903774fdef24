from __future__ import annotations

from typing import Optional

from nnlint.dynamic.probe import Event, Probe, RunView, training_losses
from nnlint.finding import Finding


class NllOnLogitsProbe(Probe):
    """## What it does
    Looks at the input of `nll_loss`: rows that are log-probabilities (all <= 0, logsumexp 0) refute;
    anything else (raw logits, probabilities) confirms.

    ## Why is this bad?
    NLLLoss only picks the target's entry; on logits it is unbounded below and the model learns to inflate one logit.

    ## Example
    ```python
    loss = F.nll_loss(logits, y)
    ```

    ## Use instead
    ```python
    loss = F.nll_loss(F.log_softmax(logits, dim=1), y)
    ```

    ## How to fix
    Apply `log_softmax` first, or use `cross_entropy` on the logits.
    """

    code = "NN302"
    name = "nll-on-logits"
    summary = "confirms an NLL loss whose input rows are not log-probabilities"

    tolerance = 1e-3

    def confirm(self, finding: Finding, run: RunView) -> Optional[bool]:
        def is_bug(event: Event) -> Optional[bool]:
            stats = event.get("input") or {}
            if not stats.get("finite") or stats.get("classes", 0) < 2:
                return None
            return not (stats["max"] <= 1e-6 and stats["row_logsumexp_max_abs"] < self.tolerance)

        return self.decide(finding, run, training_losses(run, ("nll",)), is_bug)
