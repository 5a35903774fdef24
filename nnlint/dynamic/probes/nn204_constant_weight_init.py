from __future__ import annotations

from typing import Optional

from nnlint.dynamic.probe import Probe, RunView, at_finding
from nnlint.finding import Finding


class ConstantWeightInitProbe(Probe):
    """## What it does
    After the first optimizer step, checks the weights initialised at the finding's line: all output units
    (rows) still identical confirms (the symmetry was never broken). Distinct rows are no refutation: a random next
    layer breaks the symmetry slowly, which does not make the constant start right.

    ## Why is this bad?
    Units that start identical receive identical gradients and stay identical: the layer has one unit.

    ## Example
    ```python
    nn.init.zeros_(self.hidden.weight)
    ```

    ## Use instead
    ```python
    nn.init.kaiming_uniform_(self.hidden.weight, nonlinearity='relu')
    ```

    ## How to fix
    Initialise weights randomly (the default, or He/Glorot).
    """

    code = "NN204"
    name = "constant-weight-init"
    summary = "confirms a constant-initialised weight whose units are still identical after the step"

    def confirm(self, finding: Finding, run: RunView) -> Optional[bool]:
        events = [dict(e, where=e.get("init_where")) for e in run.get("weights_after_step", [])]
        precise = at_finding(finding, events, ("where",))
        if not precise:
            return None
        identical = [e for e in precise if e.get("identical_rows")]
        if identical:
            finding.evidence = {**(finding.evidence or {}), "identical_rows_after_step": [e["name"] for e in identical]}
            return True
        return None  # a random next layer can break the symmetry; that does not make a constant init right
