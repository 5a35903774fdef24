from __future__ import annotations

from nnlint.dynamic.probe import Probe, RunView


class NonFinite(Probe):
    """## What it does
    Checks the output of every operation of the first training step for NaN/Inf and remembers the first
    operation that produced one from finite inputs, with its module path and source line. It reports
    when the trouble reaches the loss or the gradients (an `-inf` mask that softmax absorbs is fine).

    ## Why is this bad?
    One NaN in the loss turns every weight into NaN at the next step; training silently produces garbage.

    ## Example
    ```python
    loss = F.nll_loss(torch.log(torch.softmax(logits, dim=1)), y)   # log(0) = -inf
    ```

    ## Use instead
    ```python
    loss = F.nll_loss(torch.log_softmax(logits, dim=1), y)
    ```

    ## How to fix
    Use the numerically stable fused forms (`log_softmax`, `BCEWithLogitsLoss`), clamp before `log`/`sqrt`,
    add an epsilon to denominators, and check the inputs (NN802).
    """

    code = "NN806"
    name = "non-finite"
    summary = "the first operation that produced NaN/Inf, with its module path"

    def check(self, run: RunView) -> None:
        loss_bad = bool(run.get("loss_non_finite"))
        grads_bad = run.get("grad_non_finite", [])
        if not loss_bad and not grads_bad:
            return
        origin = run.get("non_finite", {})
        first = origin.get("nan") or origin.get("inf")
        reached = "the training loss" if loss_bad else f"the gradients of {', '.join(grads_bad[:3])}"
        if first:
            kind = "NaN" if origin.get("nan") is first else "Inf"
            module = f" in module {first['module']}" if first.get("module") else ""
            run.report(
                first.get("where"),
                f"{first['op']}{module} produced the first {kind} of the training step from finite inputs; it "
                f"reaches {reached}",
                {
                    "op": first["op"],
                    "kind": kind,
                    "module": first.get("module"),
                    "reaches": reached,
                    "input_shapes": first.get("input_shapes"),
                    "non_finite_gradients": grads_bad[:10],
                },
            )
            return
        losses = [e for e in run.get("losses", []) if not e.get("finite", True)]
        where = losses[0].get("where") if losses else run.get("step_where")
        run.report(
            where,
            f"{reached} became NaN/Inf in the first step (no single forward operation produced it; look at the "
            "backward pass or the inputs)",
            {"reaches": reached, "non_finite_gradients": grads_bad[:10]},
        )
