"""NN901-NN904 on hand-made experiment results: thresholds, silence when the numbers say nothing, the
sparkline (no torch, no child process)."""

from __future__ import annotations

from typing import Any, Dict, List

from nnlint.dynamic import apply_probes
from nnlint.dynamic.experiment_results import curve_text, sparkline, sparkline_lines
from nnlint.finding import Finding
from nnlint.registry import load_registry

SCRIPT = "/project/train.py"
LOSS_AT = [[SCRIPT, 40, "<module>"]]
MODEL_AT = [[SCRIPT, 38, "<module>"]]


def run(results: Dict[str, Any], skipped: Dict[str, str] = None) -> List[Finding]:
    probes = [cls() for code, cls in load_registry().probes.items() if code.startswith("NN9")]
    experiments = {"results": results, "skipped": skipped or {}, "where": LOSS_AT, "model_where": MODEL_AT}
    return apply_probes(SCRIPT, [{"rank": 0, "observations": {"experiments": experiments}}], probes, [])


def curve(start: float, end: float, steps: int = 30) -> List[float]:
    return [start + (end - start) * i / steps for i in range(steps + 1)]


def settling(start: float, end: float, steps: int = 30) -> List[float]:
    """A loss that reaches ``end`` by the middle of the run and stays there."""
    half = steps // 2
    return [start + (end - start) * min(i, half) / half for i in range(steps + 1)]


def overfit(losses: List[float], **extra: Any) -> Dict[str, Any]:
    return {"losses": losses, "steps": len(losses) - 1, "floor": 0.0, "optimizer": "SGD", "lr": [0.1], **extra}


def test_a_falling_loss_passes_and_a_flat_one_fails_at_the_loss_call() -> None:
    assert run({"NN901": overfit(curve(2.3, 0.3))}) == []
    findings = run({"NN901": overfit(curve(2.3, 2.2))})
    assert [(f.code, f.line, f.column) for f in findings] == [("NN901", 40, 1)]
    assert "from 2.3 to 2.2, 96% of the way above its floor 0 (expected under 50%)" in findings[0].message
    assert "30 steps of SGD (lr 0.1)" in findings[0].message
    assert findings[0].evidence["share_left"] > 0.9


def test_the_floor_is_the_loss_of_a_perfect_prediction() -> None:
    """Binary cross-entropy on soft targets cannot reach 0: the fall is measured above the targets' entropy."""
    assert run({"NN901": overfit(curve(0.9, 0.52), floor=0.5)}) == []
    plateau = [0.9 - 0.01 * min(i, 10) for i in range(31)]  # 0.9 -> 0.8, then flat: 75% left above 0.5
    assert [f.code for f in run({"NN901": overfit(plateau, floor=0.5)})] == ["NN901"]


def test_a_non_finite_or_exploding_loss_fails() -> None:
    nan = run({"NN901": overfit([2.3, 40.0, float("nan")])})
    assert [f.code for f in nan] == ["NN901"] and "non-finite after 2 step(s)" in nan[0].message
    jumpy = run({"NN901": overfit([2.0, 90.0, 150.0] + [0.01] * 28)})
    assert [f.code for f in jumpy] == ["NN901"] and "up to 150" in jumpy[0].message and "too large" in jumpy[0].message


def test_too_few_steps_are_not_judged() -> None:
    assert run({"NN901": overfit(curve(2.3, 2.3, steps=6))}) == []


def test_zeroed_inputs_that_do_as_well_fail_nn902() -> None:
    real = overfit(settling(25.0, 9.4))
    findings = run({"NN902": dict(overfit(curve(25.0, 9.3)), real=real)})
    assert [(f.code, f.line) for f in findings] == [("NN902", 40)]
    assert "reach a loss of 9.3, against 9.4 on the real inputs (from 25)" in findings[0].message


def test_zeroed_inputs_that_do_worse_pass_and_no_progress_says_nothing() -> None:
    assert run({"NN902": dict(overfit(curve(2.4, 2.2)), real=overfit(curve(2.3, 0.2)))}) == []
    flat = overfit(curve(2.3, 2.25))  # nothing learnt at all: NN901's business, not evidence of ignored input
    assert run({"NN902": dict(overfit(curve(2.3, 2.25)), real=flat)}) == []


def test_batch_mixing_needs_gradient_beyond_the_ratio() -> None:
    mixed = {"method": "gradient", "batch": 8, "own": 0.5, "other": 0.2, "noise": 0.0, "per_sample": [0.5, 0.2]}
    findings = run({"NN903": mixed})
    assert [(f.code, f.line) for f in findings] == [("NN903", 38)]
    assert "depends on the other 7 samples" in findings[0].message
    assert run({"NN903": dict(mixed, other=1e-5)}) == []  # rounding, not mixing
    noisy = {"method": "perturbation", "batch": 8, "own": 1.0, "other": 0.01, "noise": 0.01, "per_sample": []}
    assert run({"NN903": noisy}) == []  # no more than two identical forwards differ


def test_eval_nondeterminism_is_placed_at_the_functional_dropout() -> None:
    at = [[SCRIPT, 17, "forward"], [SCRIPT, 38, "<module>"]]
    result = {
        "max_abs_diff": 1.2,
        "max_abs_output": 2.0,
        "relative": 0.6,
        "dropout_modules_training": [],
        "functional_dropout": [at],
    }
    findings = run({"NN904": result})
    assert [(f.code, f.line) for f in findings] == [("NN904", 17)]
    assert "functional dropout with training=True at train.py:17" in findings[0].message
    assert run({"NN904": dict(result, relative=1e-7)}) == []


def test_sparklines_and_curves() -> None:
    assert sparkline([3.0, 2.0, 1.0, 0.0]) == "█▆▃▁"
    assert sparkline([1.0, float("nan")]) == "▁!"
    assert sparkline([2.0, 1.0], ascii_only=True) == "@_"
    assert curve_text([2.0, 1.0, 0.5]) == "2 (step 0), 1 (step 1), 0.5 (step 2)"
    obs = {"experiments": {"results": {"NN901": overfit([2.0, 1.0, 0.1])}, "skipped": {"NN902": "why"}}}
    lines = sparkline_lines(obs, [])
    assert lines == [
        "nnlint: dynamic: NN901 overfit one batch █▄▁ 2 -> 0.1 (2 steps): passed",
        "nnlint: dynamic: NN902 zeroed inputs: not run (why)",
    ]


def test_the_message_names_the_samples_trained_on() -> None:
    probes = [cls() for code, cls in load_registry().probes.items() if code == "NN901"]
    experiments = {"results": {"NN901": overfit(curve(2.3, 2.2))}, "where": LOSS_AT, "samples": 16}
    findings = apply_probes(SCRIPT, [{"rank": 0, "observations": {"experiments": experiments}}], probes, [])
    assert "30 steps of SGD (lr 0.1) on the first batch's first 16 samples took the loss" in findings[0].message


def test_a_slow_but_steady_fall_is_not_a_failure() -> None:
    """nanoGPT at lr 6e-4: 4.19 -> 3.10 in 25 steps, still falling: too slow for K steps, not broken."""
    steady = overfit([4.19 - 0.0436 * i for i in range(26)])
    assert run({"NN901": steady}) == []
    stalled = overfit([4.19 - 0.0436 * min(i, 12) for i in range(26)])  # the same start, then a plateau
    assert [f.code for f in run({"NN901": stalled})] == ["NN901"]


def test_a_falling_curve_cut_short_by_the_time_budget_is_not_judged() -> None:
    """nanoGPT's tiny GPT: 12 of 30 steps fitted the budget, 4.18 -> 3.86, slowing down; too few to judge."""
    slowing = [4.18 - 0.32 * (1 - 0.8**i) / (1 - 0.8**12) for i in range(13)]
    cut = overfit(slowing, asked_steps=30, stopped="time budget")
    assert run({"NN901": cut}) == []
    findings = run({"NN901": overfit(slowing)})  # the same curve as all the steps asked for is judged
    assert [(f.code, f.line, f.column) for f in findings] == [("NN901", 40, 1)]
    flat = overfit(curve(2.3, 2.3, steps=12), asked_steps=30, stopped="time budget")
    assert [f.code for f in run({"NN901": flat})] == ["NN901"]  # nothing moved: decisive however short
    rising = overfit(curve(2.3, 2.6, steps=12), asked_steps=30, stopped="time budget")
    assert "made the loss rise" in run({"NN901": rising})[0].message


def test_zeroed_inputs_are_compared_only_once_the_real_run_fitted_the_batch() -> None:
    """word_language_model's GRU: 5.98 -> 5.3 in 30 steps on real inputs, 5.28 zeroed: both still learn the
    words' frequencies, which need no input; the same ratio on a fitted batch is a finding."""
    early = dict(overfit(curve(5.99, 5.28)), real=overfit(curve(5.98, 5.30)))
    assert run({"NN902": early}) == []
    fitted = dict(overfit(curve(5.99, 2.0)), real=overfit(settling(5.98, 2.05)))
    assert [(f.code, f.line, f.column) for f in run({"NN902": fitted})] == [("NN902", 40, 1)]


def test_zeroed_inputs_are_not_compared_while_the_real_run_still_falls() -> None:
    """coRNN's adding task: 1.39 -> 0.551 in 19 steps and still falling, zeroed 0.596: both fit the targets'
    mean first; the same ending after the real run settled is a finding."""
    falling = dict(overfit(curve(1.39, 0.596, steps=19)), real=overfit(curve(1.39, 0.551, steps=19)))
    assert run({"NN902": falling}) == []
    settled_real = [max(1.39 - 0.1 * i, 0.551) for i in range(20)]
    settled = dict(overfit(curve(1.39, 0.596, steps=19)), real=overfit(settled_real))
    assert [(f.code, f.line, f.column) for f in run({"NN902": settled})] == [("NN902", 40, 1)]


def test_a_cut_curve_that_moved_a_little_is_not_judged_but_one_that_did_not_move_is() -> None:
    """word_language_model, 2 epochs: 10 of 30 steps of AdamW at 1e-3, 5.99 -> 5.93 (1% of the way)."""
    slow = overfit(curve(5.99, 5.93, steps=10), asked_steps=30, stopped="time budget")
    assert run({"NN901": slow}) == []
    still = overfit([5.99] * 11, asked_steps=30, stopped="time budget")
    assert [(f.code, f.line, f.column) for f in run({"NN901": still})] == [("NN901", 40, 1)]
