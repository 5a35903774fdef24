"""Fix tiers as in ruff: safe fixes by default, ``--unsafe-fixes`` for the rest; ``fixable``/``unfixable``;
``--fix-only``, ``--exit-non-zero-on-fix``, ``--show-fixes``; the ``[*]`` marker and the closing count."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from nnlint.config import Config
from nnlint.finding import Edit, Finding, Fix
from tests.cli.helpers import BUGGY, run

FIXED = BUGGY.replace("nn.Sequential(nn.Linear(20, 10), nn.Softmax(dim=1))", "nn.Sequential(nn.Linear(20, 10))")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "train.py").write_text(BUGGY)
    return tmp_path


def _finding(safe: bool, code: str = "NN201") -> Finding:
    return Finding("a.py", 1, 1, code, "n", "m", fix=Fix("d", (Edit(1, 0, 1, 1, "x"),), safe))


def test_only_safe_fixes_by_default_and_unsafe_ones_on_request() -> None:
    config = Config()
    assert config.may_fix(_finding(True)) and not config.may_fix(_finding(False))
    config.unsafe_fixes = True
    assert config.may_fix(_finding(False))
    assert not config.may_fix(replace(_finding(True), fix=None))


def test_fixable_and_unfixable_choose_codes() -> None:
    config = Config(fixable=["NN2"], unfixable=["NN201"])
    assert not config.may_fix(_finding(True, "NN201")) and config.may_fix(_finding(True, "NN202"))
    assert not config.may_fix(_finding(True, "NN301"))


def test_unfixable_in_the_configuration_leaves_the_file(project: Path) -> None:
    (project / "nnlint.toml").write_text('unfixable = ["NN201"]\n')
    result = run(["--fix", "train.py"], project)
    assert result.returncode == 1 and (project / "train.py").read_text() == BUGGY
    (project / "nnlint.toml").write_text('unfixable = ["NN999"]\n')
    bad = run(["--fix", "train.py"], project)
    assert bad.returncode == 2 and "tool.nnlint.unfixable: unknown rule code or prefix 'NN999'" in bad.stderr


def test_marker_and_summary(project: Path) -> None:
    result = run(["--show-fixes", "train.py"], project)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("train.py:10:12: NN201 [*] CrossEntropyLoss receives"), lines
    assert lines[-1] == "Found 1 finding (1 fixable)"
    assert "[*]" not in run(["train.py"], project).stdout  # piped: the plain flake8-style lines
    grouped = run(["--show-fixes", "--format", "grouped", "train.py"], project).stdout
    assert "  10:12 NN201 [*] CrossEntropyLoss" in grouped and grouped.endswith("Found 1 finding (1 fixable)\n")


def test_summary_counts_unsafe_fixes_apart() -> None:
    from nnlint.cli_fix import summary_line

    findings = [_finding(True), _finding(False), replace(_finding(True), fix=None)]
    assert summary_line(findings, Config()) == "Found 3 findings (1 fixable; 1 more with --unsafe-fixes)\n"
    assert summary_line(findings, Config(unsafe_fixes=True)) == "Found 3 findings (2 fixable)\n"


def test_fix_only_and_exit_non_zero_on_fix(project: Path) -> None:
    result = run(["--fix-only", "train.py"], project)
    assert result.returncode == 0 and result.stdout == "" and (project / "train.py").read_text() == FIXED
    (project / "train.py").write_text(BUGGY)
    result = run(["--fix", "--exit-non-zero-on-fix", "--show-fixes", "train.py"], project)
    assert result.returncode == 1 and (project / "train.py").read_text() == FIXED
    assert "nnlint: fixed train.py:10:12: NN201 Remove the final activation" in result.stderr
    assert run(["--fix", "--exit-non-zero-on-fix", "train.py"], project).returncode == 0  # nothing left to fix
