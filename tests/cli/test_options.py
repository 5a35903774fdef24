"""Rule options are declared with their types and checked: an unknown code, an unknown key or a wrong
type is one line and exit 2 on the command line, a visible message in the editor, an error in the
testing helpers, never an NN002 crash on every file."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from nnlint.config import config_from_table
from nnlint.options_schema import (
    BOOLEAN,
    INTEGER,
    NUMBER,
    STRING,
    config_option_errors,
    list_of,
    schema_of,
    table_of,
)
from nnlint.registry import load_registry
from nnlint.rules.nn406_extreme_learning_rate import ExtremeLearningRate
from nnlint.testing import assert_flags, lint_snippet
from tests.cli.helpers import run

SNIPPET = """
import torch
import torch.nn as nn
model = nn.Linear(2, 2)
optimizer = torch.optim.SGD(model.parameters(), lr=2.0)
"""


def _project(tmp_path: Path, options: str) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.nnlint]\n" + textwrap.dedent(options))
    (tmp_path / "train.py").write_text(SNIPPET)
    return tmp_path


@pytest.mark.parametrize(
    "options, message",
    [
        (
            "[tool.nnlint.options.NN406]\nsgd_max = 1.0\n",
            "tool.nnlint.options.NN406: unknown option 'sgd_max' (known: max_lr, min_lr)",
        ),
        (
            "[tool.nnlint.options.NN406]\nmax_lr = 5\n",
            "tool.nnlint.options.NN406.max_lr must be a table of numbers, not 5",
        ),
        (
            '[tool.nnlint.options.NN406]\nmin_lr = "tiny"\n',
            "tool.nnlint.options.NN406.min_lr must be a number, not 'tiny'",
        ),
        (
            '[tool.nnlint.options.NN406]\nmax_lr = { SGD = "big" }\n',
            "tool.nnlint.options.NN406.max_lr must be a table of numbers",
        ),
        ("[tool.nnlint.options.NN999]\nx = 1\n", "tool.nnlint.options.NN999: unknown rule code or name 'NN999'"),
        (
            "[tool.nnlint.options.extreme-learning-rat]\nmin_lr = 1e-9\n",
            "unknown rule code or name 'extreme-learning-rat'",
        ),
        (
            "[tool.nnlint.options.NN201]\nthreshold = 1\n",
            "tool.nnlint.options.NN201: unknown option 'threshold' (known: min_rows)",
        ),
        (
            "[tool.nnlint.options.NN808]\nmin_batch = 2.5\n",
            "tool.nnlint.options.NN808.min_batch must be a whole number, not 2.5",
        ),
    ],
)
def test_a_wrong_option_is_one_line_and_exit_2(tmp_path: Path, options: str, message: str) -> None:
    result = run(["train.py"], _project(tmp_path, options))
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("nnlint: error: ") and message in lines[0], result.stderr
    assert str(tmp_path / "pyproject.toml") in lines[0]


def test_good_options_by_code_and_name_are_used(tmp_path: Path) -> None:
    project = _project(tmp_path, "[tool.nnlint.options.extreme-learning-rate]\nmax_lr = { SGD = 5 }\n")
    assert run(["train.py"], project).returncode == 0  # lr=2.0 is under the raised bound
    plain = run(["train.py"], _project(tmp_path, ""))
    assert plain.returncode == 1 and ":5:52: NN406 " in plain.stdout, plain.stdout


def test_every_builtin_option_has_a_declared_type() -> None:
    registry = load_registry(load_entry_points=False)
    for cls in [*registry.rules.values(), *registry.probes.values()]:
        for key, kind in schema_of(cls).items():
            assert kind.accepts(cls.default_options[key]), f"{cls.code}.{key}: the default is not {kind}"
            assert kind.description != "any value", f"{cls.code}.{key}: declare its type in option_types"


def test_inferred_and_composed_types() -> None:
    assert NUMBER.accepts(1) and NUMBER.accepts(1.5) and not NUMBER.accepts(True) and not NUMBER.accepts("1")
    assert INTEGER.accepts(3) and not INTEGER.accepts(3.0) and not INTEGER.accepts(False)
    assert BOOLEAN.accepts(False) and not BOOLEAN.accepts(0)
    assert (
        list_of(STRING).accepts(["a"])
        and not list_of(STRING).accepts(["a", 1])
        and str(list_of(STRING)) == "a list of strings"
    )
    assert table_of(NUMBER).accepts({"SGD": 5}) and not table_of(NUMBER).accepts({"SGD": None})


def test_the_readme_configuration_is_valid() -> None:
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```toml\n(.*?)```", readme, re.S) if "[tool.nnlint.options." in b]
    assert blocks, "the README shows no per-rule options"
    for block in blocks:
        config = config_from_table(tomllib.loads(block)["tool"]["nnlint"], Path("pyproject.toml"))
        assert config.options, block
        assert config_option_errors(config, load_registry()) == []


def test_testing_helpers_reject_a_wrong_option() -> None:
    with pytest.raises(AssertionError, match=r"options\.NN406: unknown option 'sgd_max' \(known: max_lr, min_lr\)"):
        lint_snippet(ExtremeLearningRate, SNIPPET, options={"NN406": {"sgd_max": 1.0}})
    with pytest.raises(AssertionError, match=r"NN406\.max_lr must be a table of numbers, not 5"):
        assert_flags(ExtremeLearningRate, SNIPPET, options={"max_lr": 5})
    assert_flags(ExtremeLearningRate, SNIPPET, options={"max_lr": {"SGD": 1.5}}, line=4)


def test_plugin_table_options_are_type_checked() -> None:
    from nnlint.config import ConfigError, PluginSpec

    specs = {"demo": PluginSpec("demo", [ExtremeLearningRate])}
    with pytest.raises(ConfigError, match=r"tool\.nnlint\.demo\.NN406\.min_lr must be a number, not 'x'"):
        config_from_table({"demo": {"NN406": {"min_lr": "x"}}}, None, lambda: specs)
    with pytest.raises(ConfigError, match=r"tool\.nnlint\.demo\.max_lr must be a table of numbers, not 5"):
        config_from_table({"demo": {"max_lr": 5}}, None, lambda: specs)
    assert config_from_table({"demo": {"min_lr": 1e-9}}, None, lambda: specs).plugin_options == {
        "NN406": {"min_lr": 1e-9}
    }
