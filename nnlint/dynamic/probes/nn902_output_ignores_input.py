from __future__ import annotations

from nnlint.dynamic.experiment_results import batch_words, curve_text, experiment, experiments_of, finite
from nnlint.dynamic.probe import Probe, RunView, fmt


class OutputIgnoresInput(Probe):
    """## What it does
    With `--experiments`, repeats NN901's steps on a fresh copy of the model with every input of the first
    batch set to zero (targets kept), and reports when that run reaches about the same loss as the run on
    the real inputs: the zeroed run's final loss is within `tolerance` of the real run's, measured in
    units of the real run's distance from start to floor, while the real run did learn the batch (its
    loss fell by `min_progress` of that distance, NN901's mark of a fitted batch). Early in training a
    model first learns what needs no input (a language model its tokens' frequencies), so a real run
    that fell less, or is still falling (over its last third of steps, the mean of the later half is
    `settled` of the distance or more below the earlier half's: what the input adds may come later, and
    an oscillation is not a fall), is not compared. Batches whose targets are
    the same for every sample are not judged: those can be fitted without any input.

    ## Why is this bad?
    A model that does as well without its input is not using it: the forward ignores or overwrites `x`,
    reads a stale tensor, or detaches the input branch; it can only learn the targets' average.

    ## Example
    ```python
    def forward(self, x):
        h = self.encoder(self.cached)  # not x
        return self.head(h)
    ```

    ## Use instead
    ```python
    def forward(self, x):
        h = self.encoder(x)
        return self.head(h)
    ```

    ## How to fix
    Follow the input through `forward`: where does it stop influencing the output? Options: `tolerance`
    (0.05), `min_progress` (0.5), `min_steps` (10), `settled` (0.02).
    """

    code = "NN902"
    name = "output-ignores-input"
    summary = "the same K steps on zeroed inputs reach about the same loss: the model does not use its input"
    default_options = {"tolerance": 0.05, "min_progress": 0.5, "min_steps": 10, "settled": 0.02}

    def check(self, run: RunView) -> None:
        zero = experiment(run, self.code)
        real = (zero or {}).get("real")
        if not zero or not isinstance(real, dict):
            return
        count = min(len(zero.get("losses") or []), len(real.get("losses") or []))
        if count - 1 < self.options["min_steps"]:
            return
        real_losses, zero_losses = finite(real["losses"][:count]), finite(zero["losses"][:count])
        if len(real_losses) < count or len(zero_losses) < count:
            return
        floor = real.get("floor")
        floor = float(floor) if isinstance(floor, (int, float)) else 0.0
        span = real_losses[0] - floor
        if span <= 0:
            return
        real_final, zero_final = min(real_losses[-3:]), min(zero_losses[-3:])
        if real_losses[0] - real_final < self.options["min_progress"] * span:
            return
        if _still_falling(real_losses) / span >= self.options["settled"]:
            return  # the real run is still learning: what the input adds may come later
        if zero_final > real_final + self.options["tolerance"] * span:
            return
        run.report(
            experiments_of(run.obs).get("where"),
            f"the model does as well without its input: {count - 1} steps on {batch_words(run)} with every input "
            "zeroed "
            f"reach a loss of {fmt(zero_final)}, against {fmt(real_final)} on the real inputs (from "
            f"{fmt(real_losses[0])}); "
            f"zeroed-input curve: {curve_text(zero_losses)}",
            {
                "zeroed_losses": zero_losses,
                "real_losses": real_losses,
                "floor": floor,
                "steps": count - 1,
                "thresholds": dict(self.options),
            },
        )


def _still_falling(losses: list[float]) -> float:
    """How far the later half of the last third of a curve lies below its earlier half, on average."""
    third = losses[-(len(losses) // 3 + 1) :]
    half = len(third) // 2
    if half == 0:
        return 0.0
    return sum(third[:half]) / half - sum(third[-half:]) / half
