"""Every rule's documented wrong example is flagged by that rule, and its right example is not."""

from __future__ import annotations

import pytest

from nnlint.registry import load_registry
from tests.conftest import lint_text

RULES = sorted(load_registry(load_entry_points=False).rules.items())


def test_there_are_rules() -> None:
    assert len(RULES) >= 1


@pytest.mark.parametrize("code,rule", RULES, ids=[code for code, _ in RULES])
def test_rule_is_documented(code: str, rule: type) -> None:
    sections = rule.sections()
    for title in ("What it does", "Why is this bad?", "Example", "Use instead"):
        assert title in sections, f"{code} docstring lacks '## {title}'"
    assert rule.name and rule.summary and rule.code == code
    assert rule.wrong_examples() and rule.right_examples()


@pytest.mark.parametrize("code,rule", RULES, ids=[code for code, _ in RULES])
def test_wrong_example_is_flagged(code: str, rule: type) -> None:
    for example in rule.wrong_examples():
        found = [f.code for f in lint_text(example, select=[code])]
        assert code in found, f"{code} missed its own wrong example:\n{example}"


@pytest.mark.parametrize("code,rule", RULES, ids=[code for code, _ in RULES])
def test_right_example_is_clean(code: str, rule: type) -> None:
    for example in rule.right_examples():
        found = [f for f in lint_text(example, select=[code])]
        assert not found, f"{code} flagged its own right example: {found}"


def test_every_built_in_rule_and_probe_passes_the_check_plugins_get_at_load() -> None:
    # a third-party plugin's rules and probes are checked when the registry loads; nnlint's own are checked here
    from nnlint.registry import _documentation_problem

    registry = load_registry(load_entry_points=False)
    assert registry.rules and registry.probes
    for hook, classes in (("nnlint_rules", registry.rules), ("nnlint_probes", registry.probes)):
        for code, cls in sorted(classes.items()):
            assert _documentation_problem(cls, hook) is None, code
