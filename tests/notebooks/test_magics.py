"""Masking IPython syntax: every masked form, what is never masked, and that no line or column moves."""

from __future__ import annotations

import ast

import pytest

from nnlint.notebooks.magics import mask_cell
from tests.corpus_headers import corpus_files


def _masked(source: str):
    cell = mask_cell(source)
    assert len(cell.lines) == len(source.splitlines(keepends=True)), "masking must keep the line count"
    ast.parse(cell.text)  # the masked cell is Python
    return cell


@pytest.mark.parametrize(
    "line, kind",
    [
        ("%matplotlib inline", "line magic"),
        ("%load_ext autoreload", "line magic"),
        ("!pip install -q torch", "shell command"),
        ("!!ls", "shell command"),
        ("?torch.nn.Linear", "help"),
        ("torch.nn.Linear?", "help"),
        ("torch.nn.Linear??", "help"),
        ("np.*load*?", "help"),
        ("files = !ls data", "shell command"),
        ("a, b = %who_ls", "line magic"),
        ("/print 1", "auto-call"),
        (",print a b", "auto-call"),
    ],
)
def test_each_magic_form_is_masked_in_place(line: str, kind: str) -> None:
    source = f"import torch\n{line}\nx = torch.zeros(3)\n"
    cell = _masked(source)
    assert [(m.line, m.text, m.kind) for m in cell.masked] == [(2, line, kind)]
    assert cell.lines[0] == "import torch\n" and cell.lines[2] == "x = torch.zeros(3)\n"
    assert cell.lines[1] == "pass\n"


def test_a_magic_inside_a_block_keeps_the_block_valid() -> None:
    cell = _masked("for i in range(3):\n    !echo $i\nprint('done')\n")
    assert cell.lines[1] == "    pass\n"


def test_percent_continuation_lines_are_python() -> None:
    source = "print('%d training and %d validation samples'\n      % (n_train, n_val))\n"
    assert _masked(source).masked == ()
    source = "message = '%s: %d' \\\n    % (name, count)\n"
    assert _masked(source).masked == ()


def test_lines_inside_strings_and_comments_are_python() -> None:
    source = 'doc = """\n%matplotlib inline\n!rm -rf /\nwhat?\n"""\nx = "is it?"  # really?\ny = 1 != 2\n'
    assert _masked(source).masked == ()


def test_backslash_continues_a_magic_onto_the_next_line() -> None:
    cell = _masked("!pip install torch \\\n    torchvision\nimport torch\n")
    assert [(m.line, m.kind) for m in cell.masked] == [(1, "shell command"), (2, "shell command")]
    assert cell.lines[2] == "import torch\n"


def test_python_body_cell_magic_masks_only_its_first_line() -> None:
    cell = _masked("%%time\nfor epoch in range(3):\n    train(epoch)\n")
    assert [(m.line, m.kind) for m in cell.masked] == [(1, "cell magic")]
    assert cell.lines[1:] == ("for epoch in range(3):\n", "    train(epoch)\n")


@pytest.mark.parametrize("magic", ["%%bash", "%%writefile train.py", "%%html", "%%python3"])
def test_other_cell_magics_mask_the_whole_cell(magic: str) -> None:
    cell = _masked(f"{magic}\nimport torch\nfor x in y:\n  echo $x\n")
    assert len(cell.masked) == 4 and cell.text.strip() == ""


def test_magic_lines_after_a_cell_magic_first_line_are_masked_too() -> None:
    cell = _masked("%%capture\n!pip install foo\nimport foo\n")
    assert [(m.line, m.kind) for m in cell.masked] == [(1, "cell magic"), (2, "shell command")]


def test_an_indented_cell_is_dedented_as_ipython_does_and_the_shift_is_recorded() -> None:
    cell = _masked(" # comment\n device = 'cpu'\n device\n")
    assert cell.lines == ("# comment\n", "device = 'cpu'\n", "device\n")
    assert cell.shifts == (1, 1, 1)


def test_crlf_line_endings_are_kept() -> None:
    cell = _masked("%time x = 1\r\nprint(x)\r\n")
    assert cell.lines == ("pass\r\n", "print(x)\r\n")


def test_python_is_never_masked() -> None:
    sources = {path.name: path.read_text(encoding="utf-8") for path in corpus_files(notebooks=False)}
    changed = [name for name, source in sources.items() if mask_cell(source).text != source]
    assert changed == []
