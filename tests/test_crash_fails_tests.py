"""A rule that raises fails its own tests, whatever they select: a crash (NN002) is never silence."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnlint.rules.nn101_unshuffled_train_loader import UnshuffledTrainLoader
from nnlint.testing import assert_clean, assert_flags
from tests.conftest import lint_text

CLEAN = "import torch\nx = torch.zeros(3)\n"


def _raising(self: object, ctx: object) -> None:
    raise RuntimeError("rule boom")


def test_lint_text_fails_on_a_crash_even_with_the_rule_alone_selected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(UnshuffledTrainLoader, "check", _raising)
    with pytest.raises(AssertionError, match="a rule crashed on the snippet"):
        lint_text(CLEAN, select=["NN101"])
    with pytest.raises(AssertionError, match="rule boom"):
        lint_text(CLEAN)


def test_lint_text_without_a_crash_reports_only_what_is_selected() -> None:
    assert lint_text(CLEAN, select=["NN101"]) == []


def test_testing_helpers_fail_on_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(UnshuffledTrainLoader, "check", _raising)
    with pytest.raises(AssertionError, match="crashed rule"):
        assert_clean(UnshuffledTrainLoader, CLEAN)
    with pytest.raises(AssertionError, match="crashed rule"):
        assert_flags(UnshuffledTrainLoader, CLEAN)


def test_check_corpus_checks_the_line_of_each_expected_finding(tmp_path: Path) -> None:
    from nnlint.rules.nn206_forward_called_directly import ForwardCalledDirectly
    from nnlint.testing import check_corpus

    body = "import torch\nmodel = torch.nn.Linear(2, 2)\ny = model.forward(torch.zeros(1, 2))\n"
    (tmp_path / "right.py").write_text("# expect: NN206@4\n" + body)
    assert check_corpus(ForwardCalledDirectly, tmp_path) == []
    (tmp_path / "right.py").write_text("# expect: NN206@3\n" + body)
    (mismatch,) = check_corpus(ForwardCalledDirectly, tmp_path)
    assert mismatch.reported == ["NN206@4"] and mismatch.expected == ["NN206@3"]
    (tmp_path / "right.py").write_text("# expect: NN206\n" + body)  # the old form, codes only, still reads
    assert check_corpus(ForwardCalledDirectly, tmp_path) == []
