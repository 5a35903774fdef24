from __future__ import annotations

from typing import Optional

from nnlint.dynamic.probe import Event, Probe, RunView
from nnlint.finding import Finding


class EvalWithoutNoGradProbe(Probe):
    """## What it does
    Looks at the evaluation forward passes after the first step (model in eval mode or fed by an
    evaluation loader): an output that requires grad confirms; gradients disabled refute.

    ## Why is this bad?
    The graph of every evaluation batch is built and kept: memory and time wasted, sometimes out-of-memory.

    ## Example
    ```python
    model.eval()
    for x, y in val_loader:
        correct += (model(x).argmax(1) == y).sum()
    ```

    ## Use instead
    ```python
    model.eval()
    with torch.no_grad():
        for x, y in val_loader:
            correct += (model(x).argmax(1) == y).sum()
    ```

    ## How to fix
    Wrap evaluation in `torch.no_grad()` or `torch.inference_mode()`.
    """

    code = "NN503"
    name = "eval-without-no-grad"
    summary = "confirms an evaluation forward that builds an autograd graph"

    def confirm(self, finding: Finding, run: RunView) -> Optional[bool]:
        events = [e for e in run.get("eval_forwards", []) if e.get("phase") != "before first step"]

        def is_bug(event: Event) -> Optional[bool]:
            if event.get("grad_enabled") and event.get("output_requires_grad"):
                return True
            return False if not event.get("grad_enabled") else None

        return self.decide(finding, run, events, is_bug, ("where",))
