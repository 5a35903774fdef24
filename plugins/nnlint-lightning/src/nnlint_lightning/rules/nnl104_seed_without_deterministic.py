from __future__ import annotations

import libcst as cst

from nnlint.api import Rule, RuleContext, Severity

from nnlint_lightning.lightning import seed_everything_calls, trainer_calls


class SeedWithoutDeterministic(Rule):
    """## What it does
    Finds a script that seeds its run with Lightning's `seed_everything(...)` and then builds a
    `Trainer` without saying `deterministic=...` (unless it is pinned to `accelerator="cpu"`, where
    kernels are deterministic anyway).

    ## Why is this bad?
    A seed fixes the initial weights and the data order, but cuDNN's autotuned convolutions and
    atomic-add kernels still differ from run to run, so two "reproducible" runs drift apart and an
    A/B comparison measures noise. The seed suggests reproducibility was wanted; `deterministic=True`
    is the other half of it.

    ## Example
    ```python
    import pytorch_lightning as pl

    pl.seed_everything(42, workers=True)
    trainer = pl.Trainer(max_epochs=5)
    trainer.fit(model, train_loader)
    ```

    ## Use instead
    ```python
    import pytorch_lightning as pl

    pl.seed_everything(42, workers=True)
    trainer = pl.Trainer(max_epochs=5, deterministic=True)
    trainer.fit(model, train_loader)
    ```

    ## How to fix
    Pass `deterministic=True` (or `"warn"` to be told about operations without a deterministic
    implementation). If speed matters more than bit-exact reruns, say so with `deterministic=False`.
    """

    code = "NNL104"
    name = "lightning-seed-without-deterministic"
    summary = "the run is seeded but the Trainer does not set deterministic"
    severity = Severity.INFO

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        seeds = seed_everything_calls(model)
        if not seeds:
            return
        seeded_at = model.line_of(seeds[0].node)
        for call in trainer_calls(model):
            if model.has_keyword(call.node, "deterministic") or any(arg.star == "**" for arg in call.node.args):
                continue
            accelerator = model.argument(call.node, None, "accelerator")
            if isinstance(accelerator, cst.SimpleString) and accelerator.evaluated_value == "cpu":
                continue
            ctx.report(
                call.node,
                f"the run is seeded (line {seeded_at}) but this Trainer is not deterministic: cuDNN and atomic "
                "kernels still vary between runs; pass deterministic=True (or False to say speed wins)",
                evidence={"seeded_at": seeded_at},
            )
