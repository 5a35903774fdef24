"""A rule that raises fails its own tests, whatever they select: a crash (NN002) is never silence."""
from __future__ import annotations

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
