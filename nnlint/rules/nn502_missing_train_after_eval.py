from __future__ import annotations

from typing import Dict

import libcst as cst

from nnlint.analysis.modes import (
    excluded_by_branch,
    is_training_forward,
    mode_analysis,
    mode_set_in_loop,
    training_steps_of,
)
from nnlint.analysis.modes import ForwardUse
from nnlint.context import RuleContext
from nnlint.rule import Rule


class MissingTrainAfterEval(Rule):
    """## What it does
    Finds a `model.eval()` (typically for validation inside the epoch loop, directly or in a helper)
    after which a training step can run with the model still in eval mode, because no `model.train()`
    comes before the next training forward. The training forward may run in a helper shared with
    evaluation (`self._forward_pass(x, y)` called by both `train()` and `validate()`), and the loop may be
    an ignite engine's: an evaluator run from an `Events.EPOCH_COMPLETED` handler (its `model.eval()`, or
    `create_supervised_evaluator`'s) before an update function that never calls `model.train()`. The
    switches may be methods of a plain object that holds the modules (`model.val_start()` calling
    `self.img_enc.eval()`, `model.train_emb(x)` running the training step), also of another file.

    ## Why is this bad?
    From the second epoch on, the model trains with Dropout disabled and BatchNorm frozen on its
    running statistics: regularisation silently disappears, BatchNorm statistics stop adapting, and
    the first epoch behaves differently from all the others.

    ## Example
    ```python
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(20, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Linear(64, 2))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(10):
        for x, y in train_loader:
            optimizer.zero_grad()
            criterion(model(x), y).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            val_loss = sum(criterion(model(x), y).item() for x, y in val_loader)
    ```

    ## Use instead
    ```python
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(20, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Linear(64, 2))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(10):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            criterion(model(x), y).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            val_loss = sum(criterion(model(x), y).item() for x, y in val_loader)
    ```

    ## How to fix
    Call `model.train()` at the start of every training epoch (or of the training function), not
    only once before the loop.
    """

    code = "NN502"
    name = "missing-train-after-eval"
    summary = "model.eval() is not undone before the next training step"

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        first_use: Dict[cst.CSTNode, ForwardUse] = {}
        analysis = mode_analysis(model)
        # forwards of the model, and calls of a helper that runs it (`self._forward_pass(x, y)`) whose
        # result is backpropagated, with the modes the helper's forward runs in from there
        for use in [*analysis.uses.values(), *analysis.helper_trainings.values()]:
            if use.call.node not in analysis.helper_trainings and not is_training_forward(model, use.call):
                continue  # a helper's call is judged a training step on its path (analysis/mode_paths.py)
            if not model.has_mode_dependent_layers(use.model):
                continue
            steps = training_steps_of(model, use.call)
            for mode, origin in use.modes:
                if origin is not None and excluded_by_branch(model, origin, steps):
                    continue  # eval on one branch of a test, training only on the other (train/val phase loops)
                if mode == "eval" and origin is not None and not mode_set_in_loop(model, origin, use.call):
                    # eval() once before training starts: a deliberate choice (a frozen network's linear probe)
                    continue
                if mode == "eval" and origin is not None and origin not in first_use:
                    first_use[origin] = use
        for origin, use in first_use.items():
            ctx.report(
                origin,
                f"the model stays in eval mode for the training step at line {model.line_of(use.call.node)}: "
                "call model.train() before training resumes",
                evidence={"training_forward_line": model.line_of(use.call.node)},
            )
