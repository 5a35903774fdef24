"""Hostile configuration and special files: a malformed pyproject.toml anywhere on the upward search, a
configuration file that never ends, a FIFO named ``*.py``, twenty thousand per-file-ignore patterns and a
repository that ships its own plugin are each one line or a note, never a traceback, a hang or code run."""

from __future__ import annotations

import fnmatch
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlint.config import Config, ConfigError, config_from_table
from nnlint.path_patterns import PathPatterns
from tests.plugins.test_plugin_boundary import BUGGY
from tests.robustness.test_parse_guards import cli


def _project(tmp_path: Path, pyproject: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(pyproject)
    (tmp_path / "train.py").write_text(BUGGY)
    return tmp_path / "train.py"


def _errors(result) -> List[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("nnlint: error:")]


@pytest.mark.parametrize(
    "pyproject, message",
    [
        ("tool = 5\n", "`tool` must be a table ([tool.nnlint]), not int"),
        ('tool = ["nnlint"]\n', "`tool` must be a table ([tool.nnlint]), not list"),
        ("[tool]\nnnlint = 5\n", "[tool.nnlint] must be a table"),
        ("a = " + "[" * 3000 + "]" * 3000 + "\n", "invalid TOML: nested too deeply"),
        (
            '[tool.nnlint.dynamic]\ntimeout = "x"\n',
            "tool.nnlint.dynamic.timeout must be a number of seconds, 1 or more, not 'x'",
        ),
        (
            "[tool.nnlint.dynamic]\ntimeout = 0\n",
            "tool.nnlint.dynamic.timeout must be a number of seconds, 1 or more, not 0",
        ),
        (
            '[tool.nnlint.dynamic]\nlauncher = "nope"\n',
            "tool.nnlint.dynamic.launcher must be one of 'none', 'torchrun', not 'nope'",
        ),
        (
            '[tool.nnlint.dynamic]\ndevice = "tpu"\n',
            "tool.nnlint.dynamic.device must be one of 'auto', 'cpu', 'cuda', not 'tpu'",
        ),
        (
            "[tool.nnlint.dynamic]\nnproc-per-node = 1.5\n",
            "tool.nnlint.dynamic.nproc-per-node must be a whole number, 1 or more, not 1.5",
        ),
        (
            '[tool.nnlint.dynamic]\nargs = "--epochs 1"\n',
            "tool.nnlint.dynamic.args must be a list of strings (the script's arguments), not '--epochs 1'",
        ),
        (
            "[tool.nnlint.dynamic]\npython = 3\n",
            "tool.nnlint.dynamic.python must be a string (a path to an interpreter), not 3",
        ),
        (
            '[tool.nnlint.dynamic]\nlancher = "torchrun"\n',
            "unknown key tool.nnlint.dynamic.lancher (known: args, device, experiment-steps, experiments, "
            "launcher, nproc-per-node, python, timeout)",
        ),
        (
            '[tool.nnlint.dynamic]\nexperiments = "yes"\n',
            "tool.nnlint.dynamic.experiments must be true or false, not 'yes'",
        ),
        (
            "[tool.nnlint.dynamic]\nexperiment-steps = 0\n",
            "tool.nnlint.dynamic.experiment-steps must be a whole number, 1 or more, not 0",
        ),
    ],
)
def test_a_malformed_pyproject_is_one_line_and_exit_2(tmp_path: Path, pyproject: str, message: str) -> None:
    script = _project(tmp_path, pyproject)
    result = cli([str(script)])
    assert result.exit_code == 2
    assert _errors(result) == [f"nnlint: error: {tmp_path / 'pyproject.toml'}: {message}"]
    assert result.stdout == ""


def test_a_malformed_pyproject_above_the_project_is_reported_too(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("tool = 5\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "train.py").write_text(BUGGY)
    result = cli([str(tmp_path / "sub" / "train.py")])
    assert result.exit_code == 2
    assert _errors(result) == [
        f"nnlint: error: {tmp_path / 'pyproject.toml'}: `tool` must be a table ([tool.nnlint]), not int"
    ]


@pytest.mark.parametrize(
    "table, option",
    [
        ('[tool.nnlint]\nignore = ["NN999"]\n', "tool.nnlint.ignore"),
        ('[tool.nnlint]\nextend-ignore = ["NN999"]\n', "tool.nnlint.ignore"),
        ('[tool.nnlint]\nextend-select = ["NN999"]\n', "tool.nnlint.extend-select"),
        ('[tool.nnlint.per-file-ignores]\n"tests/*" = ["NN999"]\n', "tool.nnlint.per-file-ignores['tests/*']"),
    ],
)
def test_configured_codes_are_checked_as_select_is(tmp_path: Path, table: str, option: str) -> None:
    result = cli([str(_project(tmp_path, table))])
    assert result.exit_code == 2
    assert _errors(result) == [f"nnlint: error: {option}: unknown rule code or prefix 'NN999' (see `nnlint rules`)"]


def test_a_config_file_that_is_a_device_is_refused_at_once(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(BUGGY)
    started = time.monotonic()
    result = cli(["--config", "/dev/zero", str(tmp_path / "train.py")])
    assert time.monotonic() - started < 10
    assert result.exit_code == 2
    assert _errors(result) == ["nnlint: error: /dev/zero: cannot read: not a regular file: a character device"]


def test_an_oversized_config_file_is_refused(tmp_path: Path) -> None:
    script = _project(tmp_path, "# " + "x" * 1_000_001 + "\n")
    result = cli(["--config", str(tmp_path / "pyproject.toml"), str(script)])
    assert _errors(result) == [
        f"nnlint: error: {tmp_path / 'pyproject.toml'}: larger than 1000000 bytes: not a configuration file"
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_named_py_is_skipped_with_a_note_and_never_opened(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(BUGGY)
    os.mkfifo(tmp_path / "pipe.py")
    note = f"nnlint: note: {tmp_path / 'pipe.py'}: skipped: not a regular file: a named pipe (FIFO)"
    for args in (
        [str(tmp_path)],
        ["--jobs", "2", str(tmp_path)],
        [str(tmp_path / "pipe.py"), str(tmp_path / "train.py")],
        ["--diff", str(tmp_path)],
    ):
        started = time.monotonic()
        result = cli(args)
        assert time.monotonic() - started < 60, args  # a read would block forever
        assert note in result.stderr.splitlines(), (args, result.stderr)
        if "--diff" not in args:
            assert [line.split(" ")[:2] for line in result.stdout.splitlines()] == [
                [f"{tmp_path / 'train.py'}:8:12:", "NN201"]
            ]


# ------------------------------------------------------------------------------------ per-file patterns
def _reference_match(relative: str, pattern: str) -> bool:
    """The matching rule (whole path, trailing part, one name, or a folder the path lies in), pattern by pattern."""
    pattern = pattern.rstrip("/")
    if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(relative, pattern + "/*"):
        return True
    parts = relative.split("/")
    return any(
        fnmatch.fnmatch("/".join(parts[i:]), pattern) or fnmatch.fnmatch(part, pattern) for i, part in enumerate(parts)
    )


_NAMES = st.sampled_from(["src", "tests", "legacy", "train.py", "model.py", "a", "test_x.py", "gen"])
_PATTERN_PARTS = st.sampled_from(
    ["src", "tests", "legacy", "train.py", "*.py", "test_*", "*", "a", "t?st_x.py", "[st]rc", "gen/"]
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.lists(_NAMES, min_size=1, max_size=4),
    st.dictionaries(
        st.lists(_PATTERN_PARTS, min_size=1, max_size=3).map("/".join),
        st.sampled_from(["NN1", "NN2", "NN201"]),
        max_size=6,
    ),
)
def test_compiled_patterns_match_as_each_pattern_does(parts: List[str], patterns: dict) -> None:
    relative = "/".join(parts)
    compiled = PathPatterns({pattern: [code] for pattern, code in patterns.items()})
    expected = {code for pattern, code in patterns.items() if _reference_match(relative, pattern)}
    assert set(compiled.codes_for(relative) or ()) == expected
    assert compiled.matches(relative) == bool(expected)


def test_twenty_thousand_per_file_ignores_cost_seconds_not_minutes(tmp_path: Path) -> None:
    literal = {f"gen/module_{i}.py": ["NN201"] for i in range(10_000)}
    globs = {f"src/**/test_{i}_*.py": ["NN301"] for i in range(10_000)}
    config = config_from_table({"per-file-ignores": {**literal, **globs}}, tmp_path / "pyproject.toml", plugins=None)
    started = time.monotonic()
    assert config.is_enabled("NN201", str(tmp_path / "train.py"))
    assert not config.is_enabled("NN201", str(tmp_path / "gen" / "module_9999.py"))
    assert not config.is_enabled("NN301", str(tmp_path / "src" / "a" / "b" / "test_77_x.py"))
    assert config.is_enabled("NN201", str(tmp_path / "src" / "a" / "b" / "test_77_x.py"))
    for _ in range(10_000):  # every rule asks again for every finding: remembered per path
        config.is_enabled("NN201", str(tmp_path / "train.py"))
    assert (
        time.monotonic() - started < 30
    )  # about 2 s here (one regular expression per group of codes); was over 120 s a file


def test_replacing_the_pattern_table_is_seen() -> None:
    config = Config(per_file_ignores={"train.py": ["NN201"]})
    assert not config.is_enabled("NN201", "train.py")
    config.per_file_ignores = {"other.py": ["NN201"]}
    assert config.is_enabled("NN201", "train.py")
    config.exclude = ["legacy"]
    assert config.is_excluded("legacy/old.py") and not config.is_excluded("new.py")


def test_per_file_ignore_codes_are_still_validated_as_lists() -> None:
    with pytest.raises(ConfigError, match="per-file-ignores must map glob patterns to lists of codes"):
        config_from_table({"per-file-ignores": {"a.py": "NN201"}}, None, plugins=None)


# -------------------------------------------------------------------------- plugins of the current folder
def test_python_m_nnlint_loads_no_plugin_from_the_current_folder(tmp_path: Path) -> None:
    marker = tmp_path / "PLUGIN_RAN"
    (tmp_path / "evil_plugin.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\n")
    dist_info = tmp_path / "evil_plugin-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: evil-plugin\nVersion: 1.0\n")
    (dist_info / "entry_points.txt").write_text("[nnlint]\nevil = evil_plugin\n")
    environment = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONSAFEPATH")}

    def run(*args: str, env: Dict[str, str] = environment) -> "subprocess.CompletedProcess[str]":
        return subprocess.run(
            [sys.executable, *args], cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env
        )

    for command in (
        ["-m", "nnlint", "plugins"],
        ["-c", "from nnlint.registry import load_registry; print([p.name for p in load_registry().plugins])"],
    ):
        result = run(*command)
        assert result.returncode == 0, result.stderr
        assert "evil" not in result.stdout and not marker.exists(), command
    # a folder the user puts on the path themselves is theirs to trust
    chosen = run("-m", "nnlint", "plugins", env={**environment, "PYTHONPATH": str(tmp_path)})
    assert marker.exists()  # it was imported; a module with no hook is then reported, not listed
    assert "evil" in chosen.stdout + chosen.stderr
