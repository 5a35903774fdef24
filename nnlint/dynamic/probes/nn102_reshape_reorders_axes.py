from __future__ import annotations

from typing import Optional

from nnlint.dynamic.probe import Probe, RunView, at_finding, unexplained
from nnlint.finding import Finding


class ReshapeReordersAxesProbe(Probe):
    """## What it does
    Watches every `reshape`/`view` call at the finding's line: an output shape that is a non-trivial
    permutation of the input shape (e.g. (32, 32, 3) -> (3, 32, 32)) confirms it; any other reshape there refutes it.
    Without a static finding (the shapes come from variables the source cannot follow) such a reshape in the
    script's own code is reported on its own, with both shapes, at the reshape: a `view` that lists the same
    sizes in another order (batch and time swapped, channels moved) reinterprets memory and mixes samples or
    pixels.

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

    def check(self, run: RunView) -> None:
        if not unexplained(run, self.code):
            return
        for event in run.get("reshapes", []):
            if not event.get("permutes_axes") or not event.get("where"):
                continue
            before, after = event["input_shape"], event["output_shape"]
            if len({d for d in before if d != 1}) < 2:
                continue  # nothing to reorder
            run.report(
                event["where"],
                f"reshape/view turns shape {tuple(before)} into {tuple(after)}: the same sizes in another order, "
                "which keeps the "
                "memory order and scrambles the elements across axes; use permute/transpose to move axes",
                {"input_shape": before, "output_shape": after},
            )
            return

    def confirm(self, finding: Finding, run: RunView) -> Optional[bool]:
        events = at_finding(finding, run.get("reshapes", []), ("where",))
        if not events:
            return None
        bad = [e for e in events if e.get("permutes_axes")]
        if bad:
            finding.evidence = {
                **(finding.evidence or {}),
                "input_shape": bad[0]["input_shape"],
                "output_shape": bad[0]["output_shape"],
            }
            return True
        return False
