"""``--statistics`` with a machine-read format: stdout stays one valid document, the counts go to stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import BUGGY, run


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "train.py").write_text(BUGGY)
    return tmp_path


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_statistics_keep_json_and_sarif_valid(project: Path, fmt: str) -> None:
    result = run(["--format", fmt, "--statistics", "train.py"], project)
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)  # the whole of stdout is one document
    if fmt == "sarif":
        assert document["runs"][0]["results"][0]["ruleId"] == "NN201"
    else:
        assert [record["code"] for record in document] == ["NN201"]
    assert "1     NN201 softmax-into-cross-entropy" in result.stderr


def test_statistics_keep_github_annotations_clean(project: Path) -> None:
    result = run(["--format", "github", "--statistics", "train.py"], project)
    assert all(line.startswith("::") for line in result.stdout.splitlines()), result.stdout
    assert "NN201 softmax-into-cross-entropy" in result.stderr


def test_statistics_follow_a_text_report_on_stdout(project: Path) -> None:
    result = run(["--statistics", "train.py"], project)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("train.py:10:12: NN201 ") and lines[1] == "1     NN201 softmax-into-cross-entropy"
    assert result.stderr == ""
