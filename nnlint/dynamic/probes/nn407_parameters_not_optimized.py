from __future__ import annotations

from typing import Optional

from nnlint.dynamic.probe import Probe, RunView
from nnlint.finding import Finding


class ParametersNotOptimizedProbe(Probe):
    """## What it does
    At the first optimizer step, lists the model's parameters that have a gradient but are held by no
    optimizer: any confirms; none (with gradients present) refutes.

    ## Why is this bad?
    Those layers compute gradients every step and never change.

    ## Example
    ```python
    optimizer = SGD(model.parameters(), lr=0.1)
    model.fc = nn.Linear(512, 10)        # replaced after the optimizer was built
    ```

    ## Use instead
    ```python
    model.fc = nn.Linear(512, 10)
    optimizer = SGD(model.parameters(), lr=0.1)
    ```

    ## How to fix
    Build the optimizer after the model is final, over all trainable parameters.
    """

    code = "NN407"
    name = "parameters-not-optimized"
    summary = "confirms parameters that receive a gradient but belong to no optimizer"

    def confirm(self, finding: Finding, run: RunView) -> Optional[bool]:
        missing = run.get("params_without_optimizer", [])
        if missing:
            finding.evidence = {**(finding.evidence or {}), "parameters_without_optimizer": missing[:20]}
            return True
        if run.get("params_with_grad", 0) > 0 and "no_grad_params" in run.obs:
            return False if not run.get("no_grad_params") else None
        return None
