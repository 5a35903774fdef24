"""Probes on hand-made observations: thresholds, confirmations, refutations (no torch, no child process)."""

from __future__ import annotations

import math

import pytest

from nnlint.dynamic import apply_probes
from nnlint.finding import Finding, Source
from nnlint.registry import load_registry

SCRIPT = "/project/train.py"


def probes():
    return [cls() for cls in load_registry().probes.values()]


def run(observations, static=()):
    ranks = [{"rank": 0, "observations": observations}]
    return apply_probes(SCRIPT, ranks, probes(), list(static))


def static(code: str, line: int) -> Finding:
    return Finding(path=SCRIPT, line=line, column=1, code=code, name="x", message="m")


def where(line: int):
    return [[SCRIPT, line, "<module>"]]


def ce_loss(line: int, value: float, classes: int, **input_stats):
    stats = {
        "finite": True,
        "classes": classes,
        "rows": 32,
        "min": -3.0,
        "max": 3.0,
        "row_sum_max_dev": 4.0,
        "row_logsumexp_max_abs": 2.0,
    }
    stats.update(input_stats)
    return {
        "family": "cross_entropy",
        "where": where(line),
        "origin": [],
        "phase": "train",
        "step": 0,
        "value": value,
        "classes": classes,
        "input": stats,
        "input_shape": [32, classes],
        "target_shape": [32],
    }


def test_every_probe_is_documented_in_the_rule_format() -> None:
    for cls in load_registry().probes.values():
        sections = cls.sections()
        assert {"What it does", "Why is this bad?", "Example", "Use instead", "How to fix"} <= set(sections), cls
        assert cls.name and cls.summary and cls.code.startswith("NN")


def test_initial_loss_far_above_chance_is_reported_with_numbers() -> None:
    findings = run({"losses": [ce_loss(12, 9.0, 10)]})
    assert [f.code for f in findings] == ["NN805"]
    finding = findings[0]
    assert finding.source is Source.DYNAMIC and finding.line == 12
    assert finding.evidence["chance_loss"] == pytest.approx(math.log(10))
    assert "ln(10)" in finding.message and "2x" in finding.message


def test_initial_loss_near_chance_is_silent() -> None:
    assert run({"losses": [ce_loss(12, 2.4, 10)]}) == []


def test_threshold_is_configurable() -> None:
    cls = load_registry().probes["NN805"]
    findings = apply_probes(
        SCRIPT, [{"observations": {"losses": [ce_loss(3, 2.4, 10)]}}], [cls({"max_ratio": 1.01})], []
    )
    assert [f.code for f in findings] == ["NN805"]


def test_softmax_into_cross_entropy_confirmed_by_the_loss_input_not_the_loss_value() -> None:
    finding = static("NN201", 12)
    loss = ce_loss(12, math.log(10), 10, min=0.01, max=0.3, row_sum_max_dev=1e-7, row_logsumexp_max_abs=2.2)
    run({"losses": [loss]}, [finding])
    assert finding.confirmed is True and finding.evidence["loss_input_rows"] == "probabilities"


def test_softmax_into_cross_entropy_refuted_by_logits() -> None:
    finding = static("NN201", 12)
    run({"losses": [ce_loss(12, 2.3, 10)]}, [finding])
    assert finding.confirmed is False


def test_no_observation_leaves_static_findings_unconfirmed() -> None:
    finding = static("NN201", 12)
    run({"losses": []}, [finding])
    assert finding.confirmed is None


def test_dead_units_need_a_real_batch() -> None:
    relu = {"units": 64, "dead": 60, "samples": 4, "where": where(5), "module": "Net.act"}
    assert run({"relus": [relu]}) == []
    relu["samples"] = 32
    assert [f.code for f in run({"relus": [relu]})] == ["NN808"]


def test_update_ratio_band_and_zero_gradient_layers() -> None:
    healthy = [
        {"name": "Net.fc1.weight", "ratio": 0.02, "lr": 1e-3},
        {"name": "Net.fc2.weight", "ratio": 0.05, "lr": 1e-3},
    ]
    assert run({"update_ratios": healthy}) == []
    huge = [{"name": "Net.fc1.weight", "ratio": 3.0, "lr": 10.0}, {"name": "Net.fc2.weight", "ratio": 8.0, "lr": 10.0}]
    loss = [ce_loss(29, math.log(4), 4)]
    (finding,) = run({"update_ratios": huge, "step_where": where(30), "losses": loss})
    assert finding.code == "NN810" and finding.line == 30 and "too high" in finding.message
    # a placeholder objective without a target (`model(x).sum()`, Lightning's bug-report template) has no
    # scale a step could be too large for
    assert run({"update_ratios": huge, "step_where": where(30)}) == []


def test_single_class_batch_uses_data_set_frequencies() -> None:
    loss = ce_loss(9, 0.7, 2)
    loss["labels"] = {"n": 16, "counts": {"0": 16}, "non_decreasing": True, "non_increasing": True, "head": [0] * 16}
    imbalanced = {"sampler": "RandomSampler", "dataset_labels": {"n": 1000, "counts": {"0": 980, "1": 20}}}
    assert run({"losses": [loss], "loaders": [imbalanced]}) == []  # 0.98**16 = 0.72: plausible
    balanced = {"sampler": "RandomSampler", "dataset_labels": {"n": 1000, "counts": {"0": 500, "1": 500}}}
    assert [f.code for f in run({"losses": [loss], "loaders": [balanced]})] == ["NN804"]


def test_single_class_labels_made_in_the_step_are_not_judged() -> None:
    loss = ce_loss(9, 0.7, 2)
    loss["labels"] = {"n": 16, "counts": {"1": 16}, "non_decreasing": True, "non_increasing": True, "head": [1] * 16}
    balanced = {"sampler": "RandomSampler", "dataset_labels": {"n": 1000, "counts": {"0": 500, "1": 500}}}
    loss["labels_from_batch"] = False  # torch.ones_like(score): a GAN's "real" target
    assert run({"losses": [loss], "loaders": [balanced]}) == []
    loss["labels_from_batch"] = True
    (finding,) = run({"losses": [loss], "loaders": [balanced]})
    assert finding.code == "NN804" and finding.line == 9


def test_custom_function_deliberate_manipulations_are_silent() -> None:
    entries = [
        {"name": "GradReverse", "identity_forward": True, "where": where(3)},
        {"name": "RoundSTE", "constant_forward": True, "rel_error": 1.0, "where": where(4)},
        {
            "name": "Square",
            "rel_error": 0.5,
            "analytic": 1.0,
            "numeric": 2.0,
            "where": where(5),
            "definition": [[SCRIPT, 20, "Square"]],
        },
    ]
    (finding,) = run({"custom_functions": entries})
    assert finding.code == "NN812" and finding.line == 20 and "Square" in finding.message


def _activations(std: float, residual: bool):
    layers = [
        {
            "module": f"GPT.h.{i}.c_proj",
            "module_type": "Linear",
            "std": std,
            "mean": 0.0,
            "order": i,
            "is_output_layer": False,
        }
        for i in range(3)
    ]
    for layer in layers:
        layer["residual"] = residual
    return {"activations": layers, "train_inputs": [{"where": where(12)}]}


def test_small_residual_branches_are_not_vanishing_activations() -> None:
    assert run(_activations(0.005, residual=True)) == []  # GPT-2's c_proj: std 0.02/sqrt(2 n_layer) on purpose
    (finding,) = run(_activations(0.005, residual=False))  # the same scale in a plain stack starves the next layer
    assert (
        finding.code == "NN811"
        and finding.line == 12
        and "vanishing activations: the output of GPT.h.0.c_proj" in finding.message
    )
    (finding,) = run(_activations(500.0, residual=True))  # a residual branch that explodes is still reported
    assert (
        finding.code == "NN811"
        and "exploding activations" in finding.message
        and "3 layer(s) affected" in finding.message
    )


def mse_loss(line: int, output_min: float, negative_targets: float, origin_line: int = 0):
    return {
        "family": "mse",
        "where": where(line),
        "origin": where(origin_line) if origin_line else [],
        "origin_op": "F.relu" if origin_line else None,
        "phase": "train",
        "step": 0,
        "value": 0.5,
        "input_shape": [64, 1],
        "target_shape": [64, 1],
        "input": {"min": output_min, "max": 2.0, "nonfinite": 0, "zero_fraction": 0.5 if output_min == 0 else 0.0},
        "target": {"min": -0.99, "max": 1.5, "n": 64, "negative_fraction": negative_targets},
    }


def test_a_never_negative_regression_output_against_negative_targets_reports_alone() -> None:
    (finding,) = run({"losses": [mse_loss(30, 0.0, 0.4, origin_line=12)]})
    assert (finding.code, finding.line, finding.column) == ("NN202", 12, 1)  # at the relu that made the output
    assert (
        "never negative (min 0 over 64 values, 50% exactly 0) but 40% of its targets are (down to -0.99)"
        in finding.message
    )
    assert finding.evidence["target_range"] == [-0.99, 1.5]
    assert run({"losses": [mse_loss(30, -0.3, 0.4)]}) == []  # outputs below zero: nothing bounds them
    positive_linear_head = mse_loss(30, 0.02, 0.5)  # no rectifier, no exact zero: a positive bias at initialisation
    assert run({"losses": [positive_linear_head]}) == []
    (finding,) = run({"losses": [mse_loss(30, 0.0, 0.4)]})  # producer unknown, but half the outputs exactly 0
    assert finding.line == 30 and "the regression output is never negative" in finding.message
    assert run({"losses": [mse_loss(30, 0.0, 0.02)]}) == []  # 2% negative targets: not decisive
    assert (
        run({"losses": [mse_loss(30, 0.0, 0.4)]}, [static("NN202", 12)]) == []
    )  # the static finding is confirmed instead


def test_probability_rows_into_cross_entropy_report_alone_not_log_probabilities() -> None:
    probabilities = ce_loss(21, 1.6, 5, min=0.05, max=0.6, row_sum_max_dev=1e-7, row_logsumexp_max_abs=1.2)
    probabilities.update({"origin": where(14), "origin_op": "F.softmax"})
    (finding,) = run({"losses": [probabilities]})
    assert (finding.code, finding.line) == (
        "NN201",
        14,
    ) and "cross-entropy receives probabilities from softmax: all 32 rows of 5 classes" in finding.message
    log_probabilities = ce_loss(21, 1.6, 5, min=-4.0, max=-0.1, row_sum_max_dev=3.0, row_logsumexp_max_abs=1e-7)
    assert run({"losses": [log_probabilities]}) == []  # log-softmax into cross-entropy computes the same loss
    assert run({"losses": [ce_loss(21, 1.6, 5)]}) == []  # logits
    assert run({"losses": [probabilities]}, [static("NN201", 21)]) == []


def _sorted_loader(sampler: str, non_decreasing: bool):
    labels = {
        "n": 384,
        "counts": {"0": 96, "1": 96, "2": 96, "3": 96},
        "non_decreasing": non_decreasing,
        "non_increasing": False,
        "head": [0] * 64,
    }
    return {
        "sampler": sampler,
        "batch_size": 32,
        "where": where(29),
        "dataset_labels": labels,
        "dataset_label_head": labels,
    }


def test_a_sequential_loader_over_class_sorted_data_reports_alone() -> None:
    loss = ce_loss(31, 1.4, 4)
    (finding,) = run({"losses": [loss], "loaders": [_sorted_loader("SequentialSampler", True)]})
    assert (finding.code, finding.line) == ("NN101", 29)
    assert (
        "samples sequentially (SequentialSampler) and its 384 labels are sorted by class (increasing; 0: 96, 1: 96"
        in finding.message
    )
    assert run({"losses": [loss], "loaders": [_sorted_loader("RandomSampler", True)]}) == []
    assert (
        run({"losses": [loss], "loaders": [_sorted_loader("SequentialSampler", False)]}) == []
    )  # unshuffled, but not sorted
    assert (
        run({"losses": [], "loaders": [_sorted_loader("SequentialSampler", True)]}) == []
    )  # no classification loss trained


def test_a_sorted_loader_whose_labels_no_loss_is_trained_on_is_not_reported() -> None:
    sorted_loader = _sorted_loader("SequentialSampler", True)
    # an autoencoder's BCE over images: a binary family, but its targets are pixels, not class labels
    reconstruction = {**ce_loss(31, 0.7, 1), "family": "bce", "input_shape": [32, 1, 12, 12]}
    assert run({"losses": [reconstruction], "loaders": [sorted_loader]}) == []
    # a GAN's real/fake target made in the step itself
    made = {**ce_loss(31, 0.7, 1), "family": "bce", "labels": {"n": 32, "counts": {"1": 32}}}
    assert run({"losses": [{**made, "labels_from_batch": False}], "loaders": [sorted_loader]}) == []
    (finding,) = run({"losses": [{**made, "labels_from_batch": True}], "loaders": [sorted_loader]})
    assert (finding.code, finding.line) == ("NN101", 29)


def test_a_reshape_that_reorders_axes_reports_alone_at_the_reshape() -> None:
    swap = {"where": where(41), "input_shape": [8, 16], "output_shape": [16, 8], "permutes_axes": True}
    (finding,) = run({"reshapes": [swap]})
    assert (finding.code, finding.line) == ("NN102", 41) and "turns shape (8, 16) into (16, 8)" in finding.message
    flatten = {"where": where(42), "input_shape": [8, 3, 4, 4], "output_shape": [8, 48], "permutes_axes": False}
    assert run({"reshapes": [flatten]}) == []
    assert run({"reshapes": [swap]}, [static("NN102", 41)]) == []  # the static finding is confirmed instead


def test_stale_gradients_of_the_only_optimizer_report_alone() -> None:
    stale = {"params": 12, "params_with_stale_grad": 12, "where": where(96), "optimizers": 1}
    (finding,) = run({"second_backward": stale})
    assert (finding.code, finding.line) == (
        "NN402",
        96,
    ) and "every one of the 12 parameters still holding" in finding.message
    assert (
        run({"second_backward": {**stale, "optimizers": 2}}) == []
    )  # a GAN: D's gradients wait for D's next zero_grad
    assert run({"second_backward": {**stale, "params_with_stale_grad": 5}}) == []  # some cleared: not decisive
    assert run({"second_backward": stale}, [static("NN402", 90)]) == []  # confirmed instead


def test_tiny_weights_have_no_scale_to_judge() -> None:
    """A ``Linear(1, 1)`` regression on inputs up to 10: its one weight moves by more than itself at the
    first step, and its gradient dwarfs it, yet the run is healthy (ZZy979/pytorch-tutorial's
    linear_regression gave NN807 and NN810 before)."""
    tiny = [{"name": "Model.linear.weight", "ratio": 17.1, "lr": 0.01, "numel": 1}]
    assert run({"update_ratios": tiny, "step_where": where(44)}) == []
    grads = [
        {"name": "Model.linear.weight", "shape": [1, 1], "grad_norm": 171.0, "weight_norm": 0.1, "embedding": False},
        {"name": "Model.other.weight", "shape": [64, 64], "grad_norm": 0.001, "weight_norm": 1.0, "embedding": False},
    ]
    assert [f.code for f in run({"grads": grads, "step_where": where(44)})] == []
    large = [dict(tiny[0], numel=64)]
    loss = [ce_loss(43, math.log(4), 4)]
    assert [f.code for f in run({"update_ratios": large, "step_where": where(44), "losses": loss})] == ["NN810"]


def test_a_trained_model_evaluated_in_training_mode_reports_alone() -> None:
    """After the first step, the optimized model's no-grad forward with Dropout on: NN501 at that forward."""
    forward = {
        "grad_enabled": False,
        "optimized": True,
        "model": "RNNModel",
        "train_mode_layers": ["RNNModel.drop"],
        "eval_mode_layers": [],
        "where": where(157),
        "phase": "eval",
    }
    (finding,) = run({"eval_forwards": [forward]})
    assert (finding.code, finding.line) == ("NN501", 157) and "(RNNModel.drop)" in finding.message
    assert run({"eval_forwards": [{**forward, "optimized": False}]}) == []  # a frozen teacher, an EMA copy
    assert run({"eval_forwards": [{**forward, "grad_enabled": True}]}) == []
    assert run({"eval_forwards": [{**forward, "train_mode_layers": []}]}) == []  # only Dropout(p=0) or eval mode
    spoken_for = static("NN501", 150)
    assert run({"eval_forwards": [forward]}, [spoken_for]) == [] and spoken_for.confirmed is True  # one finding
