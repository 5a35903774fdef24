"""Issue 13, plugin seam: internal errors always show, with their place; broken plugins stop the run."""

from __future__ import annotations

import os
import types
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict, Iterator

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


class ModuleEntryPoint(_FakeEntryPoint):
    """An entry point naming a module by its import path, imported on load() as importlib.metadata does."""

    def load(self) -> Any:
        import importlib

        return importlib.import_module(self._target)


def install_plugin(monkeypatch: pytest.MonkeyPatch, site: Path, name: str, files: Dict[str, str], hooks: str) -> None:
    """Write a plugin package under ``site`` (on sys.path) and make ``hooks`` (a module path) the only
    entry point of the ``nnlint`` group, as an installed distribution would declare it."""
    from nnlint import registry as registry_module

    for relative, text in files.items():
        target = site / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    monkeypatch.syspath_prepend(str(site))
    for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[module]
    monkeypatch.setattr(
        registry_module, "entry_points", lambda group: [ModuleEntryPoint(name, hooks)] if group == "nnlint" else []
    )
    monkeypatch.setattr(registry_module, "_CACHE", {})


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
        "train.py:1:1: NN002 plugin 'crashplug': rule NNE001 (crashes) failed: KeyError: 'missing' (at "
        f"crashplug{os.sep}rules.py:{line})"
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
    assert "return {}[value]" in result.stderr and "KeyError: 'missing'" in result.stderr


def test_the_testing_helpers_surface_the_crash_with_its_place(crashing_plugin: Path) -> None:
    from nnlint.testing import assert_clean, lint_snippet

    rule = sys.modules["crashplug.rules"].Crashes
    findings = lint_snippet(rule, TRAIN)
    assert [(f.line, f.column, f.code) for f in findings] == [(1, 1, "NN002")]
    assert "(at crashplug" in findings[0].message
    with pytest.raises(
        AssertionError, match=r"NN002 rule NNE001 \(crashes\) failed: KeyError: 'missing' \(at crashplug"
    ):
        assert_clean(rule, TRAIN)


RULE_WITH_MESSAGE = PLUGIN_RULES.replace('helper("missing")', "ctx.report(ctx.module.body[0], MESSAGE)")


def test_an_edited_plugin_invalidates_the_cache_without_a_version_bump(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "train.py").write_text(TRAIN)
    monkeypatch.chdir(project)
    monkeypatch.setenv("NNLINT_CACHE_DIR", str(tmp_path / "cache"))
    outputs = []
    for message in ("first wording", "second wording, same version"):
        install_plugin(
            monkeypatch,
            tmp_path / "site",
            "editedplug",
            {
                "editedplug/__init__.py": "",
                "editedplug/rules.py": f"MESSAGE = {message!r}\n" + RULE_WITH_MESSAGE,
            },
            "editedplug.rules",
        )
        result = CliRunner().invoke(main, ["-j1", "--select", "NNE", "train.py"])
        assert result.exit_code == 1, result.stdout + result.stderr
        outputs.append(result.stdout)
    assert outputs == ["train.py:1:1: NNE001 first wording\n", "train.py:1:1: NNE001 second wording, same version\n"]
    again = CliRunner().invoke(main, ["-j1", "--select", "NNE", "train.py"])  # unchanged: still a hit
    assert again.stdout == outputs[1]


def test_a_plugin_that_fails_to_import_stops_the_run_unless_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "train.py").write_text(
        "import torch\nimport torch.nn as nn\nnn.Sequential(nn.Linear(2, 2), nn.Softmax(dim=1))\n"
    )
    monkeypatch.chdir(project)
    install_plugin(
        monkeypatch,
        tmp_path / "site",
        "brokenplug",
        {"brokenplug/__init__.py": "import not_installed_dependency\n"},
        "brokenplug",
    )
    stopped = CliRunner().invoke(main, ["--no-cache", "-j1", "train.py"])
    assert stopped.exit_code == 2 and stopped.stdout == ""
    assert stopped.stderr.splitlines() == [
        "nnlint: error: plugin 'brokenplug' failed to load: ModuleNotFoundError: No module named "
        "'not_installed_dependency'"
        " (--ignore-plugin-errors to run without it)"
    ]
    going_on = CliRunner().invoke(main, ["--no-cache", "-j1", "--ignore-plugin-errors", "train.py"])
    assert "nnlint: warning: plugin 'brokenplug' failed to load: ModuleNotFoundError" in going_on.stderr
    assert going_on.exit_code in (0, 1) and "Traceback" not in going_on.stderr


def test_the_registry_rejects_what_it_cannot_use_naming_the_plugin(fake_entry_points) -> None:  # noqa: F811
    from nnlint.api import Rule, hookimpl
    from tests.plugins.test_plugin_loading import _plugin, _rule

    class NotARule:
        code, name, summary = "NNW002", "not-a-rule", "x"

    undocumented = _rule("NNW003", "undocumented", doc="## What it does\nSomething.\n")
    unnamed = _rule("NNW004", "")
    taken = _rule("NNW001", "first-owner")
    registry = fake_entry_points(
        _FakeEntryPoint("alpha", _plugin(taken)),
        _FakeEntryPoint(
            "beta",
            types.SimpleNamespace(
                nnlint_rules=hookimpl(
                    lambda: [
                        _rule("NNW005", "instance")(),
                        NotARule,
                        undocumented,
                        unnamed,
                        _rule("NNW001", "second-owner"),
                    ]
                )
            ),
        ),
    )
    assert registry.rules == {
        **{c: cls for c, cls in registry.rules.items() if not c.startswith("NNW")},
        "NNW001": taken,
    }
    assert registry.errors == [
        "plugin 'beta': nnlint_rules() returned a Instance object, not a class (return the class itself); skipped",
        f"plugin 'beta': nnlint_rules() returned {NotARule.__module__}.{NotARule.__qualname__}, which is not a "
        "subclass of nnlint.api.Rule; skipped",
        "plugin 'beta': NNW003 (fake_plugin.Undocumented) lacks the documentation section(s) '## Why is this "
        "bad?', '## Example', '## Use instead' in its docstring; skipped",
        "plugin 'beta': NNW004 (fake_plugin.) has no name (set the class attribute `name = \"...\"`); skipped",
        "plugin 'beta': code NNW001 of fake_plugin.SecondOwner clashes with fake_plugin.FirstOwner from plugin "
        "'alpha'; skipped",
    ]
    assert Rule  # the public base the message names


def test_a_rejected_plugin_class_stops_the_cli_with_one_line(
    fake_entry_points,  # noqa: F811  (the fixture imported above)
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.plugins.test_plugin_loading import _plugin, _rule

    fake_entry_points(_FakeEntryPoint("alpha", _plugin(_rule("NN201", "steals-a-builtin-code"))))
    (tmp_path / "train.py").write_text(TRAIN)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["--no-cache", "-j1", "train.py"])
    assert result.exit_code == 2 and result.stdout == ""
    assert (
        len(result.stderr.splitlines()) == 1
        and "plugin 'alpha': code NN201 of fake_plugin.StealsABuiltinCode clashes with" in result.stderr
    )


def test_a_misspelt_hook_is_an_error_naming_the_plugin(fake_entry_points) -> None:  # noqa: F811
    from nnlint.api import hookimpl

    @hookimpl
    def nnlint_probe():  # a typo of nnlint_probes
        return []

    registry = fake_entry_points(_FakeEntryPoint("typo", types.SimpleNamespace(nnlint_probe=nnlint_probe)))
    assert len(registry.errors) == 1
    assert registry.errors[0].startswith("plugin 'typo': unknown hook nnlint_probe"), registry.errors
    assert "known hooks: nnlint_probes, nnlint_rules" in registry.errors[0]
    assert registry.plugin("typo") is None or registry.plugin("typo").codes == []


def test_a_hook_without_its_marker_is_an_error_not_silently_ignored(fake_entry_points) -> None:  # noqa: F811
    from tests.plugins.test_plugin_loading import _rule

    registry = fake_entry_points(
        _FakeEntryPoint("unmarked", types.SimpleNamespace(nnlint_rules=lambda: [_rule("NNW009", "unmarked-rule")]))
    )
    assert registry.errors == [
        "plugin 'unmarked': nnlint_rules lacks the @hookimpl marker (from nnlint.api import hookimpl); skipped"
    ]
    assert "NNW009" not in registry.rules


def test_a_probe_for_another_plugins_rule_or_a_diagnostic_code_is_rejected(fake_entry_points) -> None:  # noqa: F811
    from nnlint.api import Probe, hookimpl
    from tests.plugins.test_plugin_loading import DOCUMENTED, _plugin, _rule

    def probe(code: str) -> type:
        return type(
            "Twin",
            (Probe,),
            {"code": code, "name": "twin", "summary": "twin", "__doc__": DOCUMENTED, "__module__": "fake_plugin"},
        )

    own_twin = probe("NNW020")
    registry = fake_entry_points(
        _FakeEntryPoint(
            "alpha",
            types.SimpleNamespace(
                nnlint_rules=hookimpl(
                    lambda: [
                        _rule("NNW020", "alpha-rule"),
                        _rule("NNW021", "alpha-other"),
                        _rule("NN002", "steals-the-diagnostic"),
                    ]
                ),
                nnlint_probes=hookimpl(lambda: [own_twin]),
            ),
        ),
        _FakeEntryPoint("beta", types.SimpleNamespace(nnlint_probes=hookimpl(lambda: [probe("NNW021")]))),
    )
    assert registry.probes["NNW020"] is own_twin and "NNW021" not in registry.probes and "NN002" not in registry.rules
    assert registry.errors == [
        "plugin 'alpha': code NN002 of fake_plugin.StealsTheDiagnostic is nnlint's own diagnostic; skipped",
        "plugin 'beta': code NNW021 of fake_plugin.Twin clashes with plugin 'alpha', which provides that code; skipped",
    ]
    assert _plugin  # the helper the other tests use
