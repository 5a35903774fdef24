"""Paths on the command line: none means ``.``, a missing one is reported and the run goes on, and one
file named several ways is linted once."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.cli.helpers import BUGGY, run


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "train.py").write_text(BUGGY)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deep.py").write_text(BUGGY)
    return tmp_path


def test_no_path_lints_the_current_folder(project: Path) -> None:
    result = run(["--format", "json"], project)
    assert result.returncode == 1, result.stderr
    assert sorted(record["path"] for record in json.loads(result.stdout)) == [
        os.path.join("sub", "deep.py"),
        "train.py",
    ]


def test_a_missing_path_is_reported_and_the_others_are_linted(project: Path) -> None:
    result = run(["nope.py", "train.py", "gone/"], project)
    assert result.returncode == 2
    assert result.stdout.startswith("train.py:10:12: NN201 "), result.stdout
    errors = result.stderr.splitlines()
    assert errors == [
        "nnlint: error: no such file or directory: nope.py",
        "nnlint: error: no such file or directory: gone/",
    ]


def test_a_missing_path_exits_2_even_with_nothing_found(project: Path) -> None:
    (project / "clean.py").write_text("x = 1\n")
    result = run(["clean.py", "nope.py"], project)
    assert result.returncode == 2 and result.stdout == ""
    assert "no such file or directory: nope.py" in result.stderr and "Traceback" not in result.stderr


def test_one_file_named_several_ways_is_linted_once(project: Path) -> None:
    os.symlink(project / "train.py", project / "link.py")
    spellings = ["train.py", "./train.py", str(project / "train.py"), "link.py", "sub/../train.py"]
    result = run(["--format", "json", *spellings], project)
    records = json.loads(result.stdout)
    assert [(record["path"], record["line"], record["code"]) for record in records] == [("train.py", 10, "NN201")]


def test_a_folder_and_a_file_in_it_lint_the_file_once(project: Path) -> None:
    result = run(["--format", "json", "sub/deep.py", "sub"], project)
    assert [record["path"] for record in json.loads(result.stdout)] == ["sub/deep.py"]


def test_fix_with_two_spellings_fixes_once(project: Path) -> None:
    result = run(["--diff", "train.py", "./train.py"], project)
    assert result.stdout.count("+++ ") == 1, result.stdout
