from __future__ import annotations

from nnlint.dynamic.probe import Probe, RunView


class NoGradientParameters(Probe):
    """## What it does
    At each optimizer's first step, lists the parameters it holds that require a gradient but received
    none (``.grad is None``): layers defined but never used in ``forward``, a graph cut by ``.detach()``,
    ``.item()`` or ``torch.no_grad()``, or a frozen backbone handed to the optimizer.

    ## Why is this bad?
    Those weights never change; if the graph was cut by mistake, part of the model is silently untrained.

    ## Example
    ```python
    def forward(self, x):
        h = self.encoder(x).detach()      # the encoder gets no gradient
        return self.head(h)
    ```

    ## Use instead
    ```python
    def forward(self, x):
        return self.head(self.encoder(x))
    ```

    ## How to fix
    Remove unused layers, remove the accidental `.detach()`/`no_grad`, or set `requires_grad_(False)`
    and leave frozen parameters out of the optimizer if freezing is intended.
    """

    code = "NN809"
    name = "no-gradient-parameters"
    summary = "trainable parameters that received no gradient"

    def check(self, run: RunView) -> None:
        names = run.get("no_grad_params", [])
        if not names:
            return
        shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
        run.report(
            run.get("step_where"),
            f"{len(names)} trainable parameter(s) received no gradient at the first optimizer step: {shown}",
            {"parameters": names[:50], "count": len(names)},
        )
