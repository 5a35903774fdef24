"""Issue 13, plugin seam: internal errors always show, with their place; broken plugins stop the run."""
from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path
from typing import Any, Iterator

import pytest
from click.testing import CliRunner

from nnlint.cli import main
from tests.plugins.test_plugin_loading import _FakeEntryPoint, fake_entry_points  # noqa: F401  (a fixture)

TRAIN = "import torch\nmodel = torch.nn.Linear(2, 2)\n"

PLUGIN_RULES = textwrap.dedent(
    '''
    from nnlint.api import Rule, hookimpl


    def helper(value):
        return {}[value]


    class Crashes(Rule):
        """## What it does
        Crashes.

        ## Why is this bad?
        It is a test.

        ## Example
        ```python
        x = 1
        ```

        ## Use instead
        ```python
        x = 2
        ```
        """

        code = "NNE001"
        name = "crashes"
        summary = "crashes"

        def check(self, ctx):
            helper("missing")


    @hookimpl
    def nnlint_rules():
        return [Crashes]
    '''
)


@pytest.fixture
def crashing_plugin(tmp_path: Path, fake_entry_points, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:  # noqa: F811
    """A real plugin package on sys.path (``crashplug``), loaded through the entry point mechanism."""
    package = tmp_path / "site" / "crashplug"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "rules.py").write_text(PLUGIN_RULES)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    import importlib

    module = importlib.import_module("crashplug.rules")
    fake_entry_points(_FakeEntryPoint("crashplug", module))
    project = tmp_path / "project"
    project.mkdir()
    (project / "train.py").write_text(TRAIN)
    monkeypatch.chdir(project)
    yield project
    for name in ("crashplug", "crashplug.rules"):
        sys.modules.pop(name, None)


def _line_of(text: str, fragment: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_select_never_hides_nn002_and_it_names_the_plugin_frame(crashing_plugin: Path) -> None:
    result = CliRunner().invoke(main, ["--no-cache", "-j1", "--select", "NNE", "train.py"])
    line = _line_of(PLUGIN_RULES, "return {}[value]")
    assert result.stdout.splitlines() == [
        f"train.py:1:1: NN002 plugin 'crashplug': rule NNE001 (crashes) failed: KeyError: 'missing' (at crashplug{os.sep}rules.py:{line})"
    ], result.stdout + result.stderr
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr


def test_ignoring_nn002_by_its_code_still_hides_it(crashing_plugin: Path) -> None:
    result = CliRunner().invoke(main, ["--no-cache", "-j1", "--select", "NNE", "--ignore", "NN002", "train.py"])
    assert result.stdout == "" and result.exit_code == 0


def test_debug_prints_the_traceback(crashing_plugin: Path) -> None:
    result = CliRunner().invoke(main, ["-j1", "--debug", "--select", "NNE", "train.py"])
    assert "NN002" in result.stdout
    assert "nnlint: debug: plugin 'crashplug': rule NNE001 (crashes) on train.py:" in result.stderr
    assert "Traceback (most recent call last):" in result.stderr
    assert 'return {}[value]' in result.stderr and "KeyError: 'missing'" in result.stderr


def test_the_testing_helpers_surface_the_crash_with_its_place(crashing_plugin: Path) -> None:
    from nnlint.testing import assert_clean, lint_snippet

    rule = sys.modules["crashplug.rules"].Crashes
    findings = lint_snippet(rule, TRAIN)
    assert [(f.line, f.column, f.code) for f in findings] == [(1, 1, "NN002")]
    assert "(at crashplug" in findings[0].message
    with pytest.raises(AssertionError, match=r"NN002 rule NNE001 \(crashes\) failed: KeyError: 'missing' \(at crashplug"):
        assert_clean(rule, TRAIN)
