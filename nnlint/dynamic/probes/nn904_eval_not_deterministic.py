from __future__ import annotations

import os

from nnlint.dynamic.experiment_results import experiment, experiments_of
from nnlint.dynamic.probe import Probe, RunView, fmt


class EvalNotDeterministic(Probe):
    """## What it does
    With `--experiments`, calls `model.eval()` after the first step and runs the first batch through the
    model twice without gradients; the two outputs must agree (relative difference at most `relative`).
    The forwards run on the script's own model (its modes, buffers and random state are restored after),
    so that modules a forward reaches through a closure are in the mode `eval()` really sets. Reported at
    the functional dropout that ran with `training=True` when one did, else at the model call, naming the
    `nn.Dropout` modules still in training mode (modules outside the model, which `eval()` cannot reach).
    The place is the dropout module's call when one is still in training mode. This confirms NN203
    without waiting for the script's own evaluation.

    ## Why is this bad?
    Evaluation and inference are random and pessimistic: dropout still drops units after `eval()`.

    ## Example
    ```python
    x = F.dropout(x, p=0.5)
    ```

    ## Use instead
    ```python
    x = F.dropout(x, p=0.5, training=self.training)
    ```

    ## How to fix
    Pass `training=self.training` to functional dropout, and register every dropout module as an
    attribute of the model (not a global or a module held outside it). Options: `relative` (1e-4).
    """

    code = "NN904"
    name = "eval-not-deterministic"
    summary = "two eval-mode forwards of the same batch differ: dropout is still active"
    default_options = {"relative": 1e-4}

    def check(self, run: RunView) -> None:
        result = experiment(run, self.code)
        if result is None or float(result.get("relative", 0.0)) <= self.options["relative"]:
            return
        functional = [where for where in result.get("functional_dropout") or [] if where]
        modules = result.get("dropout_modules_training") or []
        causes = []
        if functional:
            causes.append(
                "functional dropout with training=True at "
                + ", ".join(f"{os.path.basename(str(where[0][0]))}:{where[0][1]}" for where in functional[:3])
            )
        if modules:
            causes.append("dropout modules still in training mode: " + ", ".join(modules[:4]))
        module_places = [where for where in result.get("dropout_module_where") or [] if where]
        where = (functional or module_places or [experiments_of(run.obs).get("model_where")])[0]
        run.report(
            where,
            f"two eval-mode forwards of the same batch differ by up to {fmt(result.get('max_abs_diff'))} "
            f"(relative {fmt(result.get('relative'))}, largest output {fmt(result.get('max_abs_output'))}): "
            + ("; ".join(causes) if causes else "a stochastic layer stays active after model.eval()"),
            {
                **{
                    k: result.get(k) for k in ("max_abs_diff", "max_abs_output", "relative", "dropout_modules_training")
                },
                "functional_dropout": functional,
                "thresholds": dict(self.options),
            },
        )
