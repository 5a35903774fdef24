"""Reading notebooks: cells, sources, language, and each cell position's place in the raw JSON file."""

from __future__ import annotations

import json

import pytest

from nnlint.notebooks import NotebookError, parse_notebook, read_notebook
from tests.notebooks.helpers import notebook_text


def _raw_at(text: str, position) -> str:
    line, column = position
    return text.splitlines()[line - 1][column - 1 :]


def test_cells_sources_and_language() -> None:
    text = notebook_text([("markdown", "# Title"), "import torch\nx = 1", ("raw", "raw text"), "y = 2\n"])
    notebook = parse_notebook(text)
    assert [(c.number, c.kind) for c in notebook.cells] == [(1, "markdown"), (2, "code"), (3, "raw"), (4, "code")]
    assert [c.source for c in notebook.code_cells()] == ["import torch\nx = 1", "y = 2\n"]
    assert notebook.is_python and notebook.data == json.loads(text)
    assert not parse_notebook(notebook_text(["x <- 1"], language="R")).is_python


def test_file_positions_land_on_the_json_lines_with_escapes_and_unicode() -> None:
    source = 'print("tab\\there")\nname = "é🐝ü"; x = model(y)\n'
    for ensure_ascii in (False, True):
        text = notebook_text([("markdown", "intro"), source], ensure_ascii=ensure_ascii)
        notebook = parse_notebook(text)
        # cell 2, line 2, column of `model`
        column = source.splitlines()[1].index("model") + 1
        assert _raw_at(text, notebook.file_position(2, 2, column)).startswith("model(y)")
        assert _raw_at(text, notebook.file_position(2, 1, 1)).startswith("print(")
        line, _ = notebook.file_position(2, 2, 1)
        assert text.splitlines()[line - 1].lstrip().startswith('"name')


def test_single_string_sources_and_nbformat_3() -> None:
    data = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {},
                "outputs": [],
                "execution_count": None,
                "source": "import torch\nx = torch.ones(2)",
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 2,
    }
    text = json.dumps(data, indent=2)
    notebook = parse_notebook(text)
    assert notebook.cells[0].source == "import torch\nx = torch.ones(2)" and not notebook.cells[0].source_is_list
    assert _raw_at(text, notebook.file_position(1, 2, 5)).startswith("torch.ones(2)")
    v3 = {
        "worksheets": [
            {
                "cells": [
                    {"cell_type": "markdown", "source": ["hi"]},
                    {"cell_type": "code", "input": ["import torch\n", "y = 1"], "outputs": []},
                ]
            }
        ],
        "metadata": {},
        "nbformat": 3,
        "nbformat_minor": 0,
    }
    notebook = parse_notebook(json.dumps(v3, indent=1))
    assert [(c.kind, c.source, c.source_key) for c in notebook.cells] == [
        ("markdown", "hi", "source"),
        ("code", "import torch\ny = 1", "input"),
    ]


def test_bom_and_crlf_files() -> None:
    text = notebook_text(["import torch\nz = torch.zeros(1)\n"]).replace("\n", "\r\n")
    notebook = read_notebook(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert notebook.bom and notebook.cells[0].source == "import torch\nz = torch.zeros(1)\n"
    assert _raw_at(text.replace("\r\n", "\n"), notebook.file_position(1, 2, 5)).startswith("torch.zeros")


@pytest.mark.parametrize(
    "data, message, line",
    [
        (b'{\n "cells": [\n  {"cell_type": "code",}\n ]\n}', "invalid JSON", 3),
        (b"[1, 2]", "not an object", 1),
        (b'{"metadata": {}}', "no 'cells' list", 1),
        (b'{"cells": [{"source": "x"}]}', "cell 1 has no cell_type", 1),
        (b'{"cells": [{"cell_type": "code", "source": 3}]}', "neither a string nor a list", 1),
        (b"\xff\xfe{}", "not UTF-8", 1),
    ],
)
def test_broken_notebooks_are_one_clear_error(data: bytes, message: str, line: int) -> None:
    with pytest.raises(NotebookError) as caught:
        read_notebook(data)
    assert message in caught.value.message and caught.value.line == line
