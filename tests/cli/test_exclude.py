"""Which files a run lints: excludes on the command line and for named files (``--force-exclude``, which
the pre-commit hooks use), ruff's ``**`` and ``./`` patterns, ``.gitignore``, and the default excludes."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import List

import pytest

from nnlint.gitignore import GitIgnore, parse_rules
from nnlint.path_patterns import PathPatterns
from tests.cli.helpers import BUGGY, run
from tests.integration.test_pre_commit_hooks import BUGGY as HOOK_BUGGY, _hooks, _run_hook


def _linted(args: List[str], cwd: Path) -> List[str]:
    result = run(["--format", "json", *args], cwd)
    assert result.returncode in (0, 1), result.stderr
    return sorted({record["path"].replace(os.sep, "/") for record in json.loads(result.stdout)})


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for relative in (
        "train.py",
        "legacy/old.py",
        "src/legacy/deep.py",
        "tests/test_a.py",
        "tests/unit/test_b.py",
        "src/model.py",
    ):
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(BUGGY)
    return tmp_path


def _configure(tree: Path, body: str) -> None:
    (tree / "pyproject.toml").write_text("[tool.nnlint]\n" + body)


def test_named_files_ignore_excludes_unless_forced(tree: Path) -> None:
    _configure(tree, 'exclude = ["legacy"]\n')
    assert _linted(["legacy/old.py", "train.py"], tree) == ["legacy/old.py", "train.py"]
    assert _linted(["--force-exclude", "legacy/old.py", "train.py"], tree) == ["train.py"]
    assert _linted(["--force-exclude", "legacy"], tree) == []


def test_force_exclude_from_the_configuration(tree: Path) -> None:
    _configure(tree, 'exclude = ["legacy"]\nforce-exclude = true\n')
    assert _linted(["legacy/old.py", "train.py"], tree) == ["train.py"]


def test_exclude_and_extend_exclude_on_the_command_line(tree: Path) -> None:
    _configure(tree, 'exclude = ["tests"]\n')
    assert _linted(["."], tree) == ["legacy/old.py", "src/legacy/deep.py", "src/model.py", "train.py"]
    assert _linted(["--exclude", "legacy,src", "."], tree) == [
        "tests/test_a.py",
        "tests/unit/test_b.py",
        "train.py",
    ]  # replaces
    assert _linted(["--extend-exclude", "legacy", "--extend-exclude", "src/model.py", "."], tree) == [
        "train.py"
    ]  # adds


@pytest.mark.parametrize(
    "pattern, left",
    [
        ("**/legacy", ["src/model.py", "tests/test_a.py", "tests/unit/test_b.py", "train.py"]),
        ("./legacy", ["src/legacy/deep.py", "src/model.py", "tests/test_a.py", "tests/unit/test_b.py", "train.py"]),
        ("tests/**/*.py", ["legacy/old.py", "src/legacy/deep.py", "src/model.py", "train.py"]),
        ("./src/**", ["legacy/old.py", "tests/test_a.py", "tests/unit/test_b.py", "train.py"]),
    ],
)
def test_ruff_style_patterns(tree: Path, pattern: str, left: List[str]) -> None:
    assert _linted(["--exclude", pattern, "."], tree) == left


def test_pattern_matching_units() -> None:
    assert PathPatterns({"**/legacy": ()}).matches("legacy")
    assert PathPatterns({"tests/**/*.py": ()}).matches("tests/a.py")
    anchored = PathPatterns({"./legacy": ()})
    assert anchored.matches("legacy/a.py") and not anchored.matches("src/legacy/a.py")


def test_gitignore_is_respected_in_folder_walks(tree: Path) -> None:
    (tree / ".git").mkdir()
    (tree / ".gitignore").write_text("# generated\n/legacy/\n*_b.py\n")
    (tree / "src" / ".gitignore").write_text("legacy\n!model.py\n")
    assert _linted(["."], tree) == ["src/model.py", "tests/test_a.py", "train.py"]
    assert _linted(["src"], tree) == ["src/model.py"]  # the top .gitignore applies below it too
    assert _linted(["--no-respect-gitignore", "."], tree) == [
        "legacy/old.py",
        "src/legacy/deep.py",
        "src/model.py",
        "tests/test_a.py",
        "tests/unit/test_b.py",
        "train.py",
    ]
    assert _linted(["legacy/old.py"], tree) == ["legacy/old.py"]  # a file named is linted, as git would add it
    _configure(tree, "respect-gitignore = false\n")
    assert len(_linted(["."], tree)) == 6


def test_gitignore_rules() -> None:
    base = "/repo"
    ignore = GitIgnore(
        parse_rules("build/\n/top.py\ndoc/*.py\n**/gen\n*.py[co]\n\\#hash.py\n!keep_b.py\n*_b.py\n", base)
    )
    assert ignore.ignores("/repo/build", True) and not ignore.ignores("/repo/build", False)  # folders only
    assert ignore.ignores("/repo/top.py", False) and not ignore.ignores("/repo/sub/top.py", False)  # anchored
    assert ignore.ignores("/repo/doc/a.py", False) and not ignore.ignores("/repo/doc/sub/a.py", False)  # * stops at /
    assert ignore.ignores("/repo/x/y/gen", True) and ignore.ignores("/repo/a.pyc", False)
    assert ignore.ignores("/repo/#hash.py", False)
    assert ignore.ignores("/repo/keep_b.py", False)  # a later rule wins over the earlier negation
    assert not ignore.ignores("/elsewhere/top.py", False)


def test_default_excludes_cover_environments_and_build_folders(tree: Path) -> None:
    for folder in (".direnv", "__pypackages__", "_build", "myenv/conda-meta"):
        (tree / folder).mkdir(parents=True)
    for relative in (".direnv/x.py", "__pypackages__/x.py", "_build/x.py", "myenv/lib.py"):
        (tree / relative).write_text(BUGGY)
    assert _linted(["."], tree) == [
        "legacy/old.py",
        "src/legacy/deep.py",
        "src/model.py",
        "tests/test_a.py",
        "tests/unit/test_b.py",
        "train.py",
    ]


def test_per_file_ignore_codes_are_checked_like_select(tree: Path) -> None:
    for codes, bad in (('["NN999"]', "'NN999'"), ('[""]', "''"), ('["nn201"]', "'nn201'")):
        _configure(tree, f'per-file-ignores = {{ "tests/*" = {codes} }}\n')
        result = run(["train.py"], tree)
        assert result.returncode == 2 and result.stdout == ""
        assert f"per-file-ignores['tests/*']: unknown rule code or prefix {bad}" in result.stderr


def test_pre_commit_hooks_leave_excluded_files_alone(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.nnlint]\nexclude = ["vendored"]\n')
    (tmp_path / "vendored").mkdir()
    (tmp_path / "vendored" / "model.py").write_text(HOOK_BUGGY)
    for hook in ("nnlint", "nnlint-fix"):
        result = _run_hook(_hooks()[hook], ["vendored/model.py"], tmp_path)
        assert result.returncode == 0 and result.stdout == "", (hook, result.stdout, result.stderr)
    assert (tmp_path / "vendored" / "model.py").read_text() == HOOK_BUGGY  # not fixed


def test_excluded_stdin_filename_is_not_linted_with_force_exclude(tree: Path) -> None:
    _configure(tree, 'exclude = ["legacy"]\n')
    args = ["-", "--stdin-filename", "legacy/old.py"]
    assert run(args, tree, stdin=BUGGY).returncode == 1
    forced = run(["--force-exclude", *args], tree, stdin=BUGGY)
    assert forced.returncode == 0 and forced.stdout == ""
    fixed = run(["--force-exclude", "--fix", *args], tree, stdin=BUGGY)
    assert fixed.returncode == 0 and fixed.stdout == BUGGY
