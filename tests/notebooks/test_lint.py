"""The static pass on notebooks: one program across cells, cell positions, suppressions, discovery, errors."""

from __future__ import annotations

from pathlib import Path
from typing import List

from nnlint.cache import Cache
from nnlint.config import Config, config_from_table
from nnlint.engine import Linter
from nnlint.finding import Finding
from nnlint.notebooks import Notebook
from tests.notebooks.helpers import IMPORTS, SOFTMAX_MODEL, SOFTMAX_NOTEBOOK, TRAIN_LOOP, notebook_text, write_notebook


def lint(path: Path, config: Config = None) -> List[Finding]:
    return Linter(config or Config()).lint_file(str(path))


def test_model_in_one_cell_trained_in_another(tmp_path: Path) -> None:
    [finding] = lint(write_notebook(tmp_path / "train.ipynb", SOFTMAX_NOTEBOOK))
    assert (finding.code, finding.cell, finding.line, finding.column, finding.end_line, finding.end_column) == (
        "NN201",
        5,
        3,
        12,
        3,
        34,
    )
    assert "(cell 3, line 1)" in finding.message
    # the fix removes the softmax in the model's cell, in that cell's positions
    [edit] = finding.fix.edits
    assert (edit.cell, edit.line, edit.column, edit.end_line) == (3, 1, 8, 1)
    assert edit.replacement == "nn.Sequential(nn.Linear(20, 10))"


def test_markdown_and_raw_cells_are_not_code(tmp_path: Path) -> None:
    cells = [
        ("markdown", "for x in y:\n  this is not python ("),
        IMPORTS,
        ("raw", "def f(:"),
        SOFTMAX_MODEL,
        TRAIN_LOOP,
    ]
    [finding] = lint(write_notebook(tmp_path / "train.ipynb", cells))
    assert (finding.code, finding.cell, finding.line) == ("NN201", 5, 3)


def test_noqa_on_a_cell_line(tmp_path: Path) -> None:
    loop = TRAIN_LOOP.replace("loss = criterion(model(x), y)", "loss = criterion(model(x), y)  # noqa: NN201")
    assert lint(write_notebook(tmp_path / "a.ipynb", [IMPORTS, SOFTMAX_MODEL, loop])) == []
    other = TRAIN_LOOP.replace("loss = criterion(model(x), y)", "loss = criterion(model(x), y)  # noqa: NN101")
    assert [f.code for f in lint(write_notebook(tmp_path / "b.ipynb", [IMPORTS, SOFTMAX_MODEL, other]))] == ["NN201"]


def test_file_level_suppressions_in_the_first_code_cell(tmp_path: Path) -> None:
    first = "# nnlint: ignore-file: NN201\n" + IMPORTS
    assert lint(write_notebook(tmp_path / "a.ipynb", [("markdown", "# t"), first, SOFTMAX_MODEL, TRAIN_LOOP])) == []
    skip = "# nnlint: skip-file\n" + IMPORTS
    assert lint(write_notebook(tmp_path / "b.ipynb", [skip, SOFTMAX_MODEL, TRAIN_LOOP])) == []


def test_a_syntax_error_is_reported_at_its_cell(tmp_path: Path) -> None:
    [finding] = lint(write_notebook(tmp_path / "a.ipynb", [IMPORTS, "x = 1\nmodel = nn.Linear(2,\n", TRAIN_LOOP]))
    assert (finding.code, finding.cell, finding.line) == ("NN000", 2, 2)


def test_a_notebook_that_is_not_json_is_one_error_on_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.ipynb"
    path.write_text('{\n "cells": [\n  {"cell_type": "code",\n', encoding="utf-8")
    [finding] = lint(path)
    assert finding.code == "NN000" and finding.cell is None and finding.line == 4
    assert "invalid JSON" in finding.message


def test_other_languages_are_skipped(tmp_path: Path) -> None:
    assert lint(write_notebook(tmp_path / "r.ipynb", SOFTMAX_NOTEBOOK, language="R")) == []


def test_an_indented_cell_reports_columns_in_the_cell(tmp_path: Path) -> None:
    indented = "\n".join("  " + line for line in TRAIN_LOOP.splitlines())
    [finding] = lint(write_notebook(tmp_path / "a.ipynb", [IMPORTS, SOFTMAX_MODEL, indented]))
    assert (finding.cell, finding.line, finding.column, finding.end_column) == (3, 3, 14, 36)


def test_discovery_lints_notebooks_skips_checkpoints_and_can_be_turned_off(tmp_path: Path) -> None:
    write_notebook(tmp_path / "train.ipynb", SOFTMAX_NOTEBOOK)
    (tmp_path / ".ipynb_checkpoints").mkdir()
    write_notebook(tmp_path / ".ipynb_checkpoints" / "train-checkpoint.ipynb", SOFTMAX_NOTEBOOK)
    found = Linter(Config()).lint_paths([str(tmp_path)])
    assert [(Path(f.path).name, f.cell, f.line) for f in found] == [("train.ipynb", 5, 3)]
    off = config_from_table({"notebooks": False})
    assert Linter(off).lint_paths([str(tmp_path)]) == []
    assert [f.code for f in Linter(off).lint_paths([str(tmp_path / "train.ipynb")])] == [
        "NN201"
    ]  # named: always linted


def test_findings_come_back_from_the_cache_with_their_cell(tmp_path: Path) -> None:
    path = write_notebook(tmp_path / "train.ipynb", SOFTMAX_NOTEBOOK)
    first = Linter(Config(), cache=Cache(tmp_path / "cache", "fingerprint")).lint_paths([str(path)])
    warm = Cache(tmp_path / "cache", "fingerprint")
    again = Linter(Config(), cache=warm).lint_paths([str(path)])
    assert warm.hits == 1
    assert [f.to_dict() for f in again] == [f.to_dict() for f in first] and again[0].cell == 5
    assert again[0].fix.edits[0].cell == 3


def test_lint_source_reads_notebook_json_and_lint_notebook_takes_cells() -> None:
    text = notebook_text(SOFTMAX_NOTEBOOK)
    [from_text] = Linter(Config()).lint_source(text, "nb.ipynb")
    cells = [("markdown", "x"), ("code", IMPORTS), ("code", SOFTMAX_MODEL), ("code", TRAIN_LOOP)]
    [from_cells] = Linter(Config()).lint_notebook(Notebook.from_sources(cells), "nb.ipynb")
    assert (from_text.cell, from_text.line) == (5, 3) and (from_cells.cell, from_cells.line) == (4, 3)
