"""`--experiments` end to end: each experiment passing and failing on a tiny script, at a pinned place,
with its numbers; the script's own run untouched; the captured-closure pitfall; the NN004 run record."""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
from click.testing import CliRunner

from nnlint.cli import main
from nnlint.dynamic import DynamicReport, run_dynamic
from nnlint.dynamic.experiment_results import run_summary
from nnlint.dynamic.runner import run_script
from nnlint.finding import Finding, Severity
from nnlint.formatters import format_findings
from nnlint.registry import load_registry

pytestmark = [
    pytest.mark.dynamic,
    pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed"),
]

SCRIPTS = Path(__file__).resolve().parent / "experiment_scripts"
EXPERIMENTS = {"steps": 30, "budget": 3.0}  # generous: the tests must not depend on a loaded machine's speed


@functools.lru_cache(maxsize=None)
def run(name: str, *args: str) -> DynamicReport:
    probes = [cls() for cls in load_registry().probes.values()]
    report = run_dynamic(str(SCRIPTS / name), list(args), probes, device="cpu", timeout=240, experiments=EXPERIMENTS)
    assert report.error is None, report.error
    return report


def nn9(report: DynamicReport) -> List[Tuple[str, int, int]]:
    return [(f.code, f.line, f.column) for f in report.findings if f.code.startswith("NN9")]


def found(report: DynamicReport, code: str) -> Finding:
    return next(f for f in report.findings if f.code == code)


def results(report: DynamicReport) -> Dict[str, dict]:
    return report.observations["experiments"]["results"]


def test_a_clean_model_passes_every_experiment() -> None:
    report = run("clean_mlp.py")
    assert nn9(report) == []
    done = results(report)
    assert set(done) == {"NN901", "NN902", "NN903", "NN904"}
    losses = done["NN901"]["losses"]
    assert len(losses) == 31 and losses[-1] < 0.5 * losses[0]
    assert done["NN903"]["method"] == "gradient" and done["NN903"]["other"] == 0.0 and done["NN903"]["own"] > 0
    assert done["NN904"]["relative"] == 0.0  # nn.Dropout in the model: eval() turns it off
    assert min(done["NN902"]["losses"]) > 2 * losses[-1]  # zeroed inputs cannot fit the batch


def test_the_scripts_own_run_is_untouched() -> None:
    """Same losses, modes and random numbers at every step with and without the experiments."""
    plain = run_script(str(SCRIPTS / "clean_mlp.py"), device="cpu", timeout=240)
    tried = run_script(str(SCRIPTS / "clean_mlp.py"), device="cpu", timeout=240, experiments=EXPERIMENTS)
    assert "experiments" in tried.observations and "experiments" not in plain.observations
    lines = [line for line in plain.stdout_tail.splitlines() if line.startswith("loss")]
    assert len(lines) >= 2 and "training True" in lines[1]
    assert [line for line in tried.stdout_tail.splitlines() if line.startswith("loss")] == lines


def test_lr_100_cannot_overfit_one_batch_nn901_at_the_loss_call() -> None:
    report = run("lr100.py")
    assert ("NN901", 11, 1) in nn9(report)
    finding = found(report, "NN901")
    assert "cannot overfit one batch" in finding.message and "SGD (lr 100)" in finding.message
    assert "loss curve: " in finding.message and "(step 30)" in finding.message
    assert finding.evidence["lr"] == [100.0] and len(finding.evidence["losses"]) == 31
    assert max(finding.evidence["losses"]) > 10 * finding.evidence["losses"][0]


def test_a_forward_that_ignores_its_input_nn902_at_the_loss_call() -> None:
    report = run("ignores_input.py")
    assert nn9(report) == [("NN902", 23, 1)]
    finding = found(report, "NN902")
    assert "does as well without its input" in finding.message and "every input zeroed" in finding.message
    assert finding.evidence["zeroed_losses"][-1] <= finding.evidence["real_losses"][-1] * 1.05


def test_a_batch_mixing_view_nn903_and_functional_dropout_nn904() -> None:
    report = run("mixes_samples.py")
    assert ("NN903", 28, 1) in nn9(report) and ("NN904", 18, 1) in nn9(report)  # model call; the F.dropout line
    mixed = found(report, "NN903")
    assert "sample 0's output depends on the other 15 samples" in mixed.message and "view/reshape" in mixed.message
    assert mixed.evidence["method"] == "gradient" and mixed.evidence["other"] > 1e-3 * mixed.evidence["own"]
    noisy = found(report, "NN904")
    assert "functional dropout with training=True at mixes_samples.py:18" in noisy.message
    assert noisy.evidence["relative"] > 1e-4


def test_closures_over_the_original_modules_are_no_false_alarm() -> None:
    """The forward calls its dropout and head through lambdas that capture the original model: NN904 runs
    on the model itself (no alarm); the copies that train get the lambdas remade on their own modules."""
    report = run("captured_modules.py")
    assert nn9(report) == []
    done = results(report)
    assert done["NN904"]["relative"] == 0.0
    assert done["NN901"]["losses"][-1] < 0.5 * done["NN901"]["losses"][0] and "NN902" in done


def test_a_copy_that_reaches_the_originals_parameters_drops_its_results() -> None:
    report = run("captured_modules.py", "--hidden-closure")  # a lambda in a dict: not remade on the copy
    assert nn9(report) == []
    experiments = report.observations["experiments"]
    assert "reached the original's parameters" in experiments["skipped"]["NN901"]
    assert "NN902" in experiments["skipped"] and "NN904" in experiments["results"]


def test_a_dropout_module_outside_the_model_is_a_true_nn904() -> None:
    report = run("captured_modules.py", "--outside")
    assert nn9(report) == [("NN904", 26, 1)]  # where the outside dropout is called
    assert "dropout modules still in training mode: Dropout outside Net" in found(report, "NN904").message


def test_a_loss_inside_the_forward_on_token_ids_is_replayed() -> None:
    report = run("token_model.py")
    assert nn9(report) == []
    done = results(report)
    assert done["NN901"]["losses"][-1] < 0.5 * done["NN901"]["losses"][0]
    assert done["NN903"]["method"] == "perturbation" and done["NN903"]["other"] == 0.0
    assert done["NN902"]["losses"][-1] > 2 * done["NN901"]["losses"][-1]  # targets kept, token ids zeroed


def test_mixing_over_the_batch_on_token_ids_nn903_by_perturbation() -> None:
    report = run("token_model.py", "--mix")
    assert ("NN903", 33, 1) in nn9(report)
    assert "changing only the other samples' inputs moved it" in found(report, "NN903").message


def test_a_run_without_findings_says_what_it_ran_in_every_format() -> None:
    report = run("clean_mlp.py")
    record = run_summary(str(SCRIPTS / "clean_mlp.py"), report.observations, None, report.seconds, report.findings)
    assert record.code == "NN004" and record.severity is Severity.INFO and (record.line, record.column) == (1, 1)
    assert (
        record.evidence["steps"] == 2
        and record.evidence["batches"]["train"] >= 2
        and record.evidence["device"] == "cpu"
    )
    assert record.evidence["experiments"] == {code: "passed" for code in ("NN901", "NN902", "NN903", "NN904")}
    assert len(record.evidence["experiment_curves"]["NN901"]) == 31
    text = format_findings("text", [record])
    assert re.search(
        r"NN004 dynamic run: ran 2 optimizer steps on cpu in [\d.]+ s: [2-9] training batches, 0 evaluation "
        r"batches from DataLoaders",
        text,
    )
    assert "experiments: NN901 passed, NN902 passed, NN903 passed, NN904 passed; 0 dynamic finding(s)" in text
    assert json.loads(format_findings("json", [record]))[0]["evidence"]["steps"] == 2
    sarif = json.loads(format_findings("sarif", [record]))
    assert (
        sarif["runs"][0]["results"][0]["ruleId"] == "NN004"
        and "optimizer steps" in sarif["runs"][0]["results"][0]["message"]["text"]
    )
    assert "NN004" in format_findings("github", [record]) and "optimizer steps" in format_findings("github", [record])


def test_cli_prints_sparklines_and_exits_zero_on_a_clean_run() -> None:
    result = CliRunner().invoke(main, ["--dynamic", "--experiments", "--device", "cpu", str(SCRIPTS / "clean_mlp.py")])
    assert result.exit_code == 0, result.output
    assert "NN004 dynamic run: ran 2 optimizer steps" in result.stdout
    # as many bars as losses (steps + 1); a loaded machine may fit fewer than 30 steps in the time budget
    line = re.search(
        r"nnlint: dynamic: NN901 overfit one batch ([▁▂▃▄▅▆▇█]+) [\d.]+ -> [\d.]+ \((\d+) steps\): passed",
        result.stderr,
    )
    assert line and len(line.group(1)) == int(line.group(2)) + 1, result.stderr
    assert "nnlint: dynamic: NN904 eval determinism: passed" in result.stderr


def test_experiments_need_dynamic() -> None:
    result = CliRunner().invoke(main, ["--experiments", str(SCRIPTS / "clean_mlp.py")])
    assert result.exit_code == 2 and "--experiments and --experiment-steps need --dynamic" in result.output


def test_module_dropout_is_not_named_functional() -> None:
    message = found(run("captured_modules.py", "--outside"), "NN904").message
    assert "functional dropout" not in message


def test_the_run_record_closes_the_report_and_can_be_ignored() -> None:
    script = str(SCRIPTS / "ignores_input.py")
    shown = CliRunner().invoke(main, ["--no-cache", "--dynamic", "--device", "cpu", "--format", "json", script])
    codes = [f["code"] for f in json.loads(shown.stdout)]
    assert codes[-1] == "NN004" and codes.count("NN004") == 1 and shown.exit_code == 1
    hidden = CliRunner().invoke(
        main, ["--no-cache", "--dynamic", "--device", "cpu", "--ignore", "NN004", "--format", "json", script]
    )
    assert "NN004" not in [f["code"] for f in json.loads(hidden.stdout)]


def test_a_warm_up_rate_is_not_taken_for_the_scripts_rate() -> None:
    report = run("warmup.py")
    assert nn9(report) == []
    overfit = results(report)["NN901"]
    assert overfit["lr"] == [0.01] and "a warm-up" in overfit["lr_note"]
    assert overfit["losses"][-1] < 0.5 * overfit["losses"][0]
