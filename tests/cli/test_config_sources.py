"""Where settings come from and what a run says: nnlint.toml / .nnlint.toml, ``--config KEY=VALUE``,
``--isolated``, ``--show-settings``, ``--show-files``, ``-q`` and ``-v``."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.cli.helpers import BUGGY, run

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "train.py").write_text(BUGGY)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deep.py").write_text(BUGGY)
    return tmp_path


def _settings(args: list, cwd: Path) -> dict:
    result = run(["--show-settings", *args], cwd)
    assert result.returncode == 0, result.stderr
    return tomllib.loads(result.stdout)  # the settings print as TOML


@pytest.mark.parametrize("name", ["nnlint.toml", ".nnlint.toml"])
def test_nnlint_toml_holds_the_settings_at_the_top_level(project: Path, name: str) -> None:
    (project / name).write_text('ignore = ["NN201"]\n')
    assert run(["train.py"], project).returncode == 0
    settings = _settings(["train.py"], project)
    assert settings["config-file"] == str(project / name) and settings["ignore"] == ["NN201"]
    (project / name).write_text('ignre = ["NN201"]\n')
    result = run(["train.py"], project)
    assert result.returncode == 2 and f"{project / name}: unknown key tool.nnlint.ignre" in result.stderr


def test_nnlint_toml_wins_over_pyproject_in_the_same_folder(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.nnlint]\nignore = ["NN401"]\n')
    (project / "nnlint.toml").write_text('ignore = ["NN201"]\n')
    (project / ".nnlint.toml").write_text('ignore = ["NN301"]\n')
    assert _settings([], project)["ignore"] == ["NN301"]
    (project / ".nnlint.toml").unlink()
    assert _settings([], project)["ignore"] == ["NN201"]
    assert _settings(["--config", "pyproject.toml"], project)["ignore"] == ["NN401"]


def test_config_key_value_overrides_the_file(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.nnlint]\nignore = ["NN401"]\n[tool.nnlint.options.NN406]\nmin_lr = 1e-7\n'
    )
    settings = _settings(
        ["--config", 'ignore = ["NN201"]', "--config", "options.NN406.max_lr = { SGD = 5.0 }"], project
    )
    assert settings["ignore"] == ["NN201"]  # replaced
    assert settings["options"] == {"NN406": {"min_lr": 1e-7, "max_lr": {"SGD": 5.0}}}  # tables merged
    assert run(["--config", 'ignore = ["NN201"]', "train.py"], project).returncode == 0


@pytest.mark.parametrize(
    "value, message",
    [
        ("bogus = 1", "--config 'bogus = 1': unknown key tool.nnlint.bogus"),
        ("select = [", "--config 'select = [': not a file, nor a KEY = VALUE setting in TOML"),
        ("missing.toml", "--config 'missing.toml': no such file"),
        ("options.NN406.max_lr = 5", "tool.nnlint.options.NN406.max_lr must be a table of numbers, not 5"),
    ],
)
def test_a_bad_config_value_is_one_line_and_exit_2(project: Path, value: str, message: str) -> None:
    result = run(["--config", value, "train.py"], project)
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and message in result.stderr, result.stderr


def test_isolated_reads_no_configuration_file(project: Path) -> None:
    (project / "nnlint.toml").write_text('ignore = ["NN201"]\n')
    assert run(["train.py"], project).returncode == 0
    assert run(["--isolated", "train.py"], project).returncode == 1
    assert run(["--isolated", "--config", 'ignore = ["NN201"]', "train.py"], project).returncode == 0
    assert "config-file" not in _settings(["--isolated"], project)
    both = run(["--isolated", "--config", "nnlint.toml", "train.py"], project)
    assert both.returncode == 2 and "--isolated reads no configuration file" in both.stderr


def test_show_settings_reflects_the_command_line(project: Path) -> None:
    settings = _settings(["--select", "NN2", "--extend-exclude", "legacy", "--no-respect-gitignore"], project)
    assert (
        settings["select"] == ["NN2"]
        and settings["extend-exclude"] == ["legacy"]
        and settings["respect-gitignore"] is False
    )
    assert settings["enabled-rules"] and all(code.startswith("NN2") for code in settings["enabled-rules"])
    assert settings["max-file-size"] == 2_000_000


def test_show_files_lists_what_would_be_linted(project: Path) -> None:
    (project / "nnlint.toml").write_text('exclude = ["sub"]\n')
    result = run(["--show-files"], project)
    assert result.returncode == 0 and result.stdout.splitlines() == ["train.py"]
    assert run(["--show-files", "--isolated", "."], project).stdout.splitlines() == ["sub/deep.py", "train.py"]


def test_quiet_keeps_the_report_and_drops_the_rest(project: Path) -> None:
    (project / "sub" / "deep.py").write_text(BUGGY.replace("lr=0.1", "lr=50.0"))
    loud = run(["--fix", "sub/deep.py"], project)
    assert "nnlint: fixed" in loud.stderr
    (project / "sub" / "deep.py").write_text(BUGGY.replace("lr=0.1", "lr=50.0"))
    quiet = run(["-q", "--fix", "sub/deep.py"], project)
    assert quiet.stderr == "" and quiet.stdout == loud.stdout and quiet.returncode == loud.returncode


def test_verbose_says_what_it_reads_and_lints(project: Path) -> None:
    (project / "nnlint.toml").write_text("notebooks = true\n")
    result = run(["-v", "."], project)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"nnlint: configuration: {project / 'nnlint.toml'}"
    assert "nnlint: checked train.py" in lines and "nnlint: checked sub/deep.py" in lines
    assert lines[-1].startswith("nnlint: 2 file(s) linted in ")
    assert result.stdout.count("NN201") == 2
