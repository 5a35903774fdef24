"""docs/plugins.md quotes the example plugin exactly, and its sample gives the output it shows."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from nnlint.config import Config
from nnlint.engine import Linter
from nnlint.formatters.text import format_line
from nnlint.registry import Registry
from tests.plugins.guide import EXAMPLE, GUIDE, example_files, sample_and_output


def test_guide_quotes_every_file_of_the_example() -> None:
    quoted = {path for path, _ in example_files()}
    shipped = {
        p.relative_to(EXAMPLE).as_posix() for p in EXAMPLE.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    }
    assert shipped - quoted <= {"README.md", "src/nnlint_example/__init__.py"}, shipped - quoted


@pytest.mark.parametrize("path,shown", example_files(), ids=[path for path, _ in example_files()])
def test_guide_shows_the_file_as_shipped(path: str, shown: str) -> None:
    assert shown == (EXAMPLE / path).read_text(encoding="utf-8"), f"{GUIDE.name} quotes an outdated {path}"


def test_sample_gives_the_output_shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLE / "src"))
    sys.modules.pop("nnlint_example.rules", None)
    from nnlint_example.rules import WholeModelSave

    sample, command, expected = sample_and_output()
    assert command == "nnlint --select NNX train.py"
    (tmp_path / "train.py").write_text(sample)
    monkeypatch.chdir(tmp_path)
    linter = Linter(Config(select=["NNX"]), Registry(rules={WholeModelSave.code: WholeModelSave}))
    assert [format_line(f) for f in linter.lint_paths(["train.py"])] == expected
