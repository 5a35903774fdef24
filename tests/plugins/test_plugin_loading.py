"""Plugin loading and configuration without installing anything: fake entry points, fake plugin specs."""

from __future__ import annotations

import types
from typing import Any, Dict, List

import pytest
from click.testing import CliRunner

from nnlint import registry as registry_module
from nnlint.api import Rule, hookimpl
from nnlint.config import ConfigError, PluginSpec, config_from_table


class _FakeEntryPoint:
    def __init__(self, name: str, target: Any, dist_name: str = "nnlint-fake", version: str = "9.9") -> None:
        self.name = name
        self._target = target
        self.dist = types.SimpleNamespace(name=dist_name, version=version)

    def load(self) -> Any:
        if isinstance(self._target, Exception):
            raise self._target
        return self._target


DOCUMENTED = """## What it does
Nothing.

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


def _rule(code: str, name: str, options: Dict[str, Any] = None, doc: str = DOCUMENTED) -> type:
    namespace = {
        "code": code,
        "name": name,
        "summary": name,
        "default_options": options or {},
        "check": lambda self, ctx: None,
        "__module__": "fake_plugin",
        "__doc__": doc,
    }
    return type(name.title().replace("-", ""), (Rule,), namespace)


def _plugin(*rules: type) -> types.SimpleNamespace:
    @hookimpl
    def nnlint_rules() -> List[type]:
        return list(rules)

    return types.SimpleNamespace(nnlint_rules=nnlint_rules)


@pytest.fixture
def fake_entry_points(monkeypatch: pytest.MonkeyPatch):
    def install(*points: _FakeEntryPoint) -> registry_module.Registry:
        monkeypatch.setattr(registry_module, "entry_points", lambda group: list(points) if group == "nnlint" else [])
        monkeypatch.setattr(registry_module, "_CACHE", {})
        return registry_module.load_registry()

    return install


def test_broken_clashing_and_malformed_plugins_are_reported_and_skipped(fake_entry_points) -> None:
    good = _rule("NNQ001", "good-rule")
    registry = fake_entry_points(
        _FakeEntryPoint("alpha", _plugin(good)),
        _FakeEntryPoint("broken", ImportError("No module named 'missing_dependency'")),
        _FakeEntryPoint(
            "beta", _plugin(_rule("NNQ001", "same-code"), _rule("NN201", "builtin-code"), _rule("nnq-2", "bad-code"))
        ),
    )
    assert registry.rules["NNQ001"] is good
    assert registry.plugin_of("NNQ001") == "alpha" and registry.plugin_of("NN201") == "nnlint"
    alpha = registry.plugin("alpha")
    assert alpha is not None and (alpha.distribution, alpha.version, alpha.codes) == ("nnlint-fake", "9.9", ["NNQ001"])
    assert registry.plugin("beta").codes == []
    errors = "\n".join(registry.errors)
    assert "plugin 'broken' failed to load: ImportError: No module named 'missing_dependency'" in errors
    assert (
        "code NNQ001 of fake_plugin.SameCode clashes with fake_plugin.GoodRule from plugin 'alpha'; skipped" in errors
    )
    assert "code NN201 of fake_plugin.BuiltinCode clashes with" in errors and "from plugin 'nnlint'" in errors
    assert "has code 'nnq-2', not letters then digits" in errors
    assert len(registry.errors) == 4


def test_plugins_command_output_and_exit_code(fake_entry_points) -> None:
    from nnlint.cli import main

    fake_entry_points(
        _FakeEntryPoint("alpha", _plugin(_rule("NNQ001", "good-rule"))), _FakeEntryPoint("broken", RuntimeError("boom"))
    )
    result = CliRunner().invoke(main, ["plugins"])
    assert result.exit_code == 0
    assert "alpha            nnlint-fake 9.9: NNQ001\n" in result.output
    assert "nnlint: warning: plugin 'broken' failed to load: RuntimeError: boom" in result.output


_SPECS = {
    "fake": PluginSpec(
        "fake", [_rule("NNQ001", "first-rule", {"limit": 1, "mode": "a"}), _rule("NNQ002", "second-rule", {"limit": 2})]
    ),
}


def _config(table: Dict[str, Any]):
    return config_from_table(table, None, plugins=lambda: _SPECS)


def test_plugin_table_options_reach_the_rules_that_declare_them() -> None:
    config = _config(
        {
            "fake": {"limit": 10, "first-rule": {"mode": "b"}, "NNQ002": {"limit": 20}},
            "options": {"NNQ001": {"limit": 30}},
        }
    )
    assert config.options_for("NNQ001", "first-rule") == {"limit": 30, "mode": "b"}
    assert config.options_for("NNQ002", "second-rule") == {"limit": 20}


@pytest.mark.parametrize(
    "table,message",
    [
        ({"fake": {"limt": 1}}, "tool.nnlint.fake: unknown option 'limt' (known: limit, mode)"),
        ({"fake": {"NNQ002": {"mode": "x"}}}, "tool.nnlint.fake.NNQ002: unknown option 'mode' (known: limit)"),
        ({"fake": {"NNQ009": {}}}, "the 'fake' plugin has no rule 'NNQ009'"),
        ({"fake": 3}, "tool.nnlint.fake must be a table"),
        ({"other": {"limit": 1}}, "unknown key tool.nnlint.other (known: "),
    ],
)
def test_bad_plugin_tables_are_configuration_errors(table: Dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=None) as error:
        _config(table)
    assert message in str(error.value)


def test_unknown_keys_stay_errors_without_plugins() -> None:
    with pytest.raises(ConfigError, match="unknown key tool.nnlint.selct"):
        config_from_table({"selct": ["NN"]}, None, plugins=lambda: {})


def test_public_api_names_resolve_without_loading_the_dynamic_pass() -> None:
    import subprocess
    import sys

    code = (
        "import sys, nnlint.api as api\n"
        "assert 'torch' not in sys.modules and 'nnlint.dynamic.probe' not in sys.modules\n"
        "missing = [n for n in api.__all__ if n not in ('Probe', 'RunView') and getattr(api, n, None) is None]\n"
        "assert not missing, missing\n"
        "from nnlint.api import Probe, RunView\n"
        "assert Probe.__name__ == 'Probe' and RunView.__name__ == 'RunView'\n"
        "assert 'torch' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
