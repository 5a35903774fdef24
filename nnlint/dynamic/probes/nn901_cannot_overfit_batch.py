from __future__ import annotations

import math

from nnlint.dynamic.experiment_results import batch_words, curve_text, experiment, experiments_of, finite
from nnlint.dynamic.probe import Probe, RunView, fmt


_MOVED = 1e-3  # a fall under this share of the way is nothing at all: frozen parameters, a cut graph


class CannotOverfitBatch(Probe):
    """## What it does
    With `--experiments`, after the script's first optimizer step, trains a deep copy of the model with a
    copy of the script's optimizer (its class, param groups, learning rates and state; a warm-up's
    tiny first rate is replaced by the scheduler's `initial_lr` or the rate the optimizer was made
    with) for K steps
    (`--experiment-steps`, 30) on the first batch alone (its first 16 samples where every input has the
    batch on axis 0), with the copy's dropout modules off, and reports when the loss does not fall to a
    small fraction of its start: (final - floor) > `fraction` x (start - floor), where the floor is the
    loss of a perfect prediction (0, or the targets' entropy for binary cross-entropy on soft targets),
    and its last third of steps no longer brings it down by `stall` of that distance (a loss still
    falling steadily is only slow: no finding). A curve the time budget cut before the K steps is
    judged only when it rose, jumped, went non-finite or did not move at all (under 0.1% of the way).
    The finding is at the loss call and lists the curve. The script's own model is not touched.

    ## Why is this bad?
    A network that cannot memorise one batch cannot learn the data set: the model, the loss or the
    update is broken (a learning rate of 100, frozen or detached layers, a loss on the wrong tensor).
    Overfitting a single batch is the first check of every debugging guide (Karpathy's recipe).

    ## Example
    ```python
    optimizer = torch.optim.SGD(model.parameters(), lr=100.0)
    ```

    ## Use instead
    ```python
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    ```

    ## How to fix
    Look at the curve: flat means nothing moves (frozen parameters, a graph cut, a learning rate far too
    small), rising, jumping or NaN means the step is too large. Options: `fraction` (0.5), `max_rise` (10:
    a loss that climbs to more than 10x its start on the way fails too), `min_steps` (10: fewer steps in
    the time budget are not judged), `stall` (0.02).
    """

    code = "NN901"
    name = "cannot-overfit-batch"
    summary = "K steps on the first batch do not bring the loss to a small fraction of its start"
    default_options = {"fraction": 0.5, "min_steps": 10, "max_rise": 10.0, "stall": 0.02}

    def check(self, run: RunView) -> None:
        result = experiment(run, self.code)
        if result is None:
            return
        losses = list(result.get("losses") or [])
        if len(losses) < 2:
            return
        floor = result.get("floor")
        floor = float(floor) if isinstance(floor, (int, float)) else 0.0
        start = losses[0]
        diverged = not all(isinstance(v, (int, float)) and math.isfinite(v) for v in losses)
        if not diverged:
            if int(result.get("steps", 0)) < self.options["min_steps"] or start - floor <= 1e-6 * max(1.0, abs(start)):
                return
            final, peak = min(losses[-3:]), max(losses)
            share = (final - floor) / (start - floor)
            rise = (peak - floor) / (start - floor)
            third = losses[-(len(losses) // 3 + 1) :]
            still_falling = (third[0] - min(third)) / (start - floor) >= self.options["stall"]
            moved = (start - final) / (start - floor) >= _MOVED
            if rise <= self.options["max_rise"] and (
                share <= self.options["fraction"]
                or (still_falling and final <= start)
                or (moved and _cut_short(result))
            ):
                # it fits the batch, or is still learning it at a rate the K steps could not finish, or the
                # time budget ended a falling curve before the K steps its judgement needs
                return
            what = (
                f"took the loss only from {fmt(start)} to {fmt(final)}, {share:.0%} of the way above its floor "
                f"{fmt(floor)} (expected under {self.options['fraction']:.0%})"
            )
            if final > start:
                what = f"made the loss rise from {fmt(start)} to {fmt(final)}"
            elif rise > self.options["max_rise"]:
                what = (
                    f"threw the loss from {fmt(start)} up to {fmt(peak)} ({rise:.0f}x its start above the floor; "
                    "at most "
                    f"{self.options['max_rise']:g}x expected) before it ended at {fmt(final)}: the steps are too large"
                )
        else:
            seen = finite(losses)
            what = f"made the loss non-finite after {len(seen)} step(s) (from {fmt(start)})"
            share = None
        lrs = result.get("lr") or []
        optimizer = f"{result.get('optimizer', 'the optimizer')}" + (
            f" (lr {', '.join(fmt(v) for v in lrs)})" if lrs else ""
        )
        if result.get("lr_note"):
            optimizer += f" at {result['lr_note']}"
        steps = int(result.get("steps", len(losses) - 1))
        run.report(
            experiments_of(run.obs).get("where"),
            f"the model cannot overfit one batch: {steps} steps of {optimizer} on {batch_words(run)} {what}; "
            f"loss curve: {curve_text(losses)}",
            {
                "losses": losses,
                "floor": floor,
                "share_left": share,
                "steps": steps,
                "optimizer": result.get("optimizer"),
                "lr": lrs,
                "lr_note": result.get("lr_note"),
                "thresholds": dict(self.options),
            },
        )


def _cut_short(result: dict) -> bool:
    """Whether the time budget stopped the experiment before the steps it was asked for."""
    asked = result.get("asked_steps")
    return result.get("stopped") == "time budget" and isinstance(asked, int) and int(result.get("steps", 0)) < asked
