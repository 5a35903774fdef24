"""Notebook findings in every output format: cell positions in text and JSON, the file's own JSON lines in
SARIF (validated against the schema) and GitHub annotations; stdin notebooks; --show-source."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import List, Tuple

import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = "corpus/nn201_notebook_softmax_bad1.ipynb"
SCHEMA = REPO / "tests" / "integration" / "sarif-schema-2.1.0.json"
# the finding: cell 10, line 6, columns 16-39 (`criterion(model(xb), yb)`)
CELL, LINE, COLUMN, END_COLUMN = 10, 6, 16, 40


def run(args: List[str], stdin: str = "") -> "subprocess.CompletedProcess[str]":
    return subprocess.run(
        [sys.executable, "-m", "nnlint", "--no-cache", *args],
        cwd=REPO,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def file_position() -> Tuple[int, int]:
    """Where the loss call is in the .ipynb file itself: its JSON line, and the column inside that string."""
    lines = (REPO / NOTEBOOK).read_text(encoding="utf-8").splitlines()
    number = next(i for i, text in enumerate(lines, 1) if '"        loss = criterion(model(xb), yb)' in text)
    return number, lines[number - 1].index("criterion(") + 1


def test_text() -> None:
    result = run([NOTEBOOK])
    assert result.returncode == 1
    assert result.stdout.startswith(
        f"{NOTEBOOK}:cell {CELL}:{LINE}:{COLUMN}: NN201 CrossEntropyLoss receives the model's output after softmax "
        "(cell 7, line 9)"
    )
    shown = run(["--show-source", NOTEBOOK]).stdout.splitlines()
    assert shown[1:] == [
        "            loss = criterion(model(xb), yb)",
        "                   " + "^" * (END_COLUMN - COLUMN),
    ]


def test_json() -> None:
    [record] = json.loads(run(["--format", "json", NOTEBOOK]).stdout)
    assert (record["cell"], record["line"], record["column"], record["end_line"], record["end_column"]) == (
        CELL,
        LINE,
        COLUMN,
        LINE,
        END_COLUMN,
    )
    [edit] = record["fix"]["edits"]
    assert (edit["cell"], edit["line"], edit["replacement"]) == (7, 9, "self.out(x)")


def test_github_annotation_on_the_file_lines() -> None:
    line, column = file_position()
    out = run(["--format", "github", NOTEBOOK]).stdout.strip()
    assert out.startswith(
        f"::warning file={NOTEBOOK},line={line},col={column},endLine={line},endColumn={column + END_COLUMN - COLUMN},"
    )
    assert f"::NN201 cell {CELL}, line {LINE}: CrossEntropyLoss" in out


def test_sarif_on_the_file_lines_and_valid() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    log = json.loads(run(["--format", "sarif", NOTEBOOK]).stdout)
    jsonschema.validate(log, json.loads(SCHEMA.read_text(encoding="utf-8")))
    [result] = log["runs"][0]["results"]
    line, column = file_position()
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region == {
        "startLine": line,
        "startColumn": column,
        "endLine": line,
        "endColumn": column + END_COLUMN - COLUMN,
    }
    assert result["properties"]["notebookCell"] == CELL and result["properties"]["cellLine"] == LINE
    assert result["message"]["text"].startswith(f"cell {CELL}, line {LINE}: ")
    assert "fixes" not in result  # a replacement in the JSON text would have to re-escape it


def test_stdin_notebook() -> None:
    text = (REPO / NOTEBOOK).read_text(encoding="utf-8")
    result = run(["-", "--stdin-filename", "train.ipynb", "--show-source"], stdin=text)
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"train.ipynb:cell {CELL}:{LINE}:{COLUMN}: NN201 ")
    assert lines[1] == "            loss = criterion(model(xb), yb)"


def test_whole_corpus_reports_the_notebooks_with_cells() -> None:
    lines = [line for line in run(["corpus/"]).stdout.splitlines() if ".ipynb:" in line]
    assert [line.split(": ", 1)[0] + ": " + line.split(": ", 1)[1][:5] for line in lines] == [
        "corpus/nn101_notebook_sorted_bad1.ipynb:cell 4:1:16: NN101",
        "corpus/nn201_notebook_softmax_bad1.ipynb:cell 10:6:16: NN201",
        "corpus/nn501_notebook_eval_bad1.ipynb:cell 9:4:21: NN501",
    ]
