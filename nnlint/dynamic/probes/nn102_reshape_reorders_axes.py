from __future__ import annotations

from typing import Optional

from nnlint.dynamic.probe import Probe, RunView, at_finding
from nnlint.finding import Finding


class ReshapeReordersAxesProbe(Probe):
    """## What it does
    Watches every `reshape`/`view` call at the finding's line: an output shape that is a non-trivial
    permutation of the input shape (e.g. (32, 32, 3) -> (3, 32, 32)) confirms it; any other reshape there refutes it.

    ## Why is this bad?
    Reshape keeps the memory order, so the pixels are scrambled across channels instead of moved.

    ## Example
    ```python
    x = image.reshape(3, 32, 32)     # image is (32, 32, 3)
    ```

    ## Use instead
    ```python
    x = image.permute(2, 0, 1)
    ```

    ## How to fix
    Use `permute`/`movedim`/`np.transpose` to reorder axes.
    """

    code = "NN102"
    name = "reshape-reorders-axes"
    summary = "confirms a reshape/view whose output shape is a permutation of its input shape"

    def confirm(self, finding: Finding, run: RunView) -> Optional[bool]:
        events = at_finding(finding, run.get("reshapes", []), ("where",))
        if not events:
            return None
        bad = [e for e in events if e.get("permutes_axes")]
        if bad:
            finding.evidence = {**(finding.evidence or {}), "input_shape": bad[0]["input_shape"], "output_shape": bad[0]["output_shape"]}
            return True
        return False
