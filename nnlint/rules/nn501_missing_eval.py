from __future__ import annotations

from typing import Set, Tuple

from nnlint.analysis.foreign_evaluation import evaluated_in_training_mode_by_callers
from nnlint.analysis.modes import TRAIN, is_evaluation_forward, mode_analysis, mode_chosen_by_condition
from nnlint.analysis.phases import evaluating_phase
from nnlint.context import RuleContext
from nnlint.rule import Rule


class MissingEval(Rule):
    """## What it does
    Finds an evaluation path (under `torch.no_grad()`/`torch.inference_mode()`, or a validate/test/evaluate
    function) that runs a model containing Dropout or BatchNorm while the model may still be in training
    mode: `model.eval()` is not called on every path to it. The mode is followed through loops (a
    `model.train()` at the top of each epoch), helper functions and context managers. A forward in a
    helper shared by training and evaluation (`validate()` and `train()` both calling
    `self._forward_pass(x, y)`) is judged at each call of the helper; the process function of an ignite
    evaluator (`Engine(evaluate_step)`, run from a trainer's handler) is an evaluation. An evaluation
    helper of one file (`metrics.estimate_loss(model, loaders)`) given a training-mode model by another
    file is reported at that file's call and, in the helper's own file, at the forward. Decoding with
    `model.generate(...)` runs the model's forward too, and so do a library model's feature extractors
    and encoders (`forward_features`, `extract_features`, `encode_image`, `encode_text`). A project
    helper named as a metric (`dice_coeff`, `compute_iou`), `sklearn.metrics` and `torchmetrics` score.
    One loop body for both phases (`for phase in ["train", "val"]`, `run_epoch(..., train=False)`) whose
    backward and step run only under `if phase == "train":` evaluates in the other phase: a model in
    training mode on every path there is reported, with the phase named.

    ## Why is this bad?
    In training mode Dropout drops activations at random and BatchNorm normalises with the statistics
    of the current batch (and updates its running averages with validation data). Validation metrics
    come out noisy and pessimistic, and they change with the batch size: model selection and early
    stopping are driven by the wrong numbers.

    ## Example
    ```python
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 2))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(10):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            criterion(model(x), y).backward()
            optimizer.step()
        with torch.no_grad():
            for x, y in val_loader:
                accuracy = (model(x).argmax(1) == y).float().mean()
    ```

    ## Use instead
    ```python
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 2))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(10):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            criterion(model(x), y).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            for x, y in val_loader:
                accuracy = (model(x).argmax(1) == y).float().mean()
    ```

    ## How to fix
    Call `model.eval()` before every evaluation (and `model.train()` before training resumes), or
    put both in a helper or a context manager used on every path.
    """

    code = "NN501"
    name = "missing-eval"
    summary = "evaluation runs a Dropout/BatchNorm model that may still be in training mode"

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        analysis = mode_analysis(model)
        reported: Set[Tuple[object, ...]] = set()
        for use in analysis.uses.values():
            if TRAIN not in use.modes:
                continue
            phase = None
            if not is_evaluation_forward(model, use.call):
                # the same loop trains in one phase and evaluates in another: only a mode that is training
                # on every path is judged (a path-insensitive join cannot tell which phase set which mode)
                phase = evaluating_phase(model, use.call) if use.modes == {TRAIN} else None
                if phase is None:
                    continue
            if not model.has_mode_dependent_layers(use.model):
                continue
            if mode_chosen_by_condition(model, use):
                continue
            where: Tuple[object, ...] = (use.call.function, use.model.node)
            if where in reported:
                continue
            reported.add(where)
            during = "during evaluation" if phase is None else f"when {phase[0]} is {phase[1]!r}, which trains nothing"
            ctx.report(
                use.call.node,
                f"the model runs in training mode {during}"
                + _on_some_paths(use.modes)
                + ": Dropout/BatchNorm behave as in training; call model.eval() before evaluating",
                evidence={"possible_modes": sorted({mode for mode, _ in use.modes})},
            )
        for call_node, use in analysis.helper_evaluations.items():
            if TRAIN not in use.modes or not model.has_mode_dependent_layers(use.model):
                continue
            helper_owner, forward = analysis.helper_forwards[call_node]
            where = (use.call.function, use.model.node, forward.function)
            if where in reported:
                continue  # the same helper evaluating the same model again: one report is enough
            reported.add(where)
            ctx.report(
                call_node,
                f"the model is evaluated by {forward.function.name if forward.function else 'a helper'} "
                f"({helper_owner.where(forward.node, model)}) in training mode"
                + _on_some_paths(use.modes)
                + ": Dropout/BatchNorm behave as in training; call model.eval() before evaluating",
                evidence={
                    "possible_modes": sorted({mode for mode, _ in use.modes}),
                    "helper_forward": helper_owner.where(forward.node, model),
                },
            )
        for foreign in evaluated_in_training_mode_by_callers(model):
            # a helper of this file evaluating what another file hands it (that file reports its call too)
            if (foreign.forward.function, foreign.forward.node) in reported:
                continue
            reported.add((foreign.forward.function, foreign.forward.node))
            ctx.report(
                foreign.forward.node,
                f"the model evaluated here is passed in training mode by {foreign.caller.where(foreign.call, model)}"
                + _on_some_paths(foreign.use.modes)
                + ": Dropout/BatchNorm behave as in training; call model.eval() before evaluating",
                evidence={
                    "possible_modes": sorted({mode for mode, _ in foreign.use.modes}),
                    "caller": foreign.caller.where(foreign.call, model),
                },
            )


def _on_some_paths(modes: object) -> str:
    return "" if all(mode == TRAIN for mode in modes) else " on some paths"  # type: ignore[attr-defined]
