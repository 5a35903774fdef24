"""Writing fixed cell sources back into a notebook's own JSON text, and checking the result.

Only the JSON strings of the lines that changed are rewritten, in place: outputs, execution counts,
metadata, cell ids, key order, indentation and the file's escaping style stay byte for byte, so
``git diff`` shows the fixed source lines and nothing else. When a fix changes a cell's number of lines,
that cell's ``source`` array is laid out again with the separators it had, its unchanged lines copied
from the original text. The result is checked before anything is written: it must parse to the
original notebook with exactly those sources changed, and, where the ``nbformat`` package is installed,
load with it and validate against its schema.
"""

from __future__ import annotations

import difflib
import json
import re
import warnings
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from nnlint.notebooks.reader import Notebook, NotebookCell, SourcePiece, split_lines


class NotebookWriteError(Exception):
    """The fixed sources cannot be put back into this notebook's text."""


Replacement = Tuple[int, int, str]  # raw start, raw end, new raw text


def rewrite_sources(notebook: Notebook, sources: Mapping[int, str]) -> str:
    """The notebook's raw text with the sources of some cells (by 0-based index) replaced."""
    text = notebook.text
    if text is None:
        raise NotebookWriteError("the notebook was not read from a file")
    ascii_escapes = text.isascii() and "\\u" in text  # written with ensure_ascii: keep that style
    replacements: List[Replacement] = []
    for index, new in sorted(sources.items()):
        cell = notebook.cells[index]
        if new == cell.source:
            continue
        if cell.source_span is None:
            raise NotebookWriteError(f"cell {cell.number} has no source in the file")
        if not cell.source_is_list:
            replacements.append((*cell.source_span, _literal(new, ascii_escapes)))
        else:
            replacements.extend(_list_replacements(text, cell, new, ascii_escapes))
    pieces: List[str] = []
    position = 0
    for start, end, raw in sorted(replacements):
        pieces.append(text[position:start])
        pieces.append(raw)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _literal(value: str, ascii_escapes: bool) -> str:
    return json.dumps(value, ensure_ascii=ascii_escapes)


def _list_replacements(text: str, cell: NotebookCell, new: str, ascii_escapes: bool) -> List[Replacement]:
    old = [piece.text for piece in cell.pieces]
    lines = split_lines(new)
    matcher = difflib.SequenceMatcher(None, old, lines, autojunk=False)
    opcodes = matcher.get_opcodes()
    if cell.pieces and all(tag in ("equal", "replace") and i2 - i1 == j2 - j1 for tag, i1, i2, j1, j2 in opcodes):
        # same number of strings: rewrite only the ones that changed
        return [
            (cell.pieces[i].start, cell.pieces[i].end, _literal(lines[j], ascii_escapes))
            for tag, i1, i2, j1, _ in opcodes
            if tag == "replace"
            for i, j in zip(range(i1, i2), range(j1, j1 + i2 - i1))
        ]
    items: List[str] = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            items.extend(text[piece.start : piece.end] for piece in cell.pieces[i1:i2])
        else:
            items.extend(_literal(line, ascii_escapes) for line in lines[j1:j2])
    assert cell.source_span is not None
    start, end = cell.source_span
    return [(start, end, _array(text, cell.source_span, cell.pieces, items))]


def _array(text: str, span: Tuple[int, int], pieces: Sequence[SourcePiece], items: Sequence[str]) -> str:
    """A JSON array of ``items`` laid out like the one at ``span`` (its opening, separator and closing)."""
    start, end = span
    if not items:
        return "[]"
    if pieces:
        opening = text[start + 1 : pieces[0].start]
        closing = text[pieces[-1].end : end - 1]
        separator = text[pieces[0].end : pieces[1].start] if len(pieces) > 1 else "," + opening
    else:  # an empty array: indent one step further than the line holding "source"
        line_start = text.rfind("\n", 0, start) + 1
        indent = re.match(r"[ \t]*", text[line_start:]).group()  # type: ignore[union-attr]
        newline = "\r\n" if text[line_start - 2 : line_start] == "\r\n" else "\n"
        step = _indent_step(text)
        opening, closing, separator = newline + indent + step, newline + indent, "," + newline + indent + step
    return "[" + opening + separator.join(items) + closing + "]"


def _indent_step(text: str) -> str:
    match = re.search(r"\n([ \t]+)\"", text)
    return match.group(1) if match else " "


# ------------------------------------------------------------------------------------ checking
def check_rewritten(original: Notebook, text: str, sources: Mapping[int, str]) -> Optional[str]:
    """None when ``text`` is the original notebook with exactly these sources changed and (with nbformat
    installed) a valid notebook; else why not."""
    try:
        data = json.loads(text)
    except ValueError as error:
        return f"the rewritten notebook is not valid JSON ({error})"
    expected = _sources_joined(json.loads(json.dumps(original.data)))  # a deep copy
    cells = _cell_dicts(expected)
    for index, source in sources.items():
        cells[index][original.cells[index].source_key] = source
    if _sources_joined(data) != expected:
        return "the rewritten notebook differs from the original in more than the fixed sources"
    return nbformat_problem(text)


def _cell_dicts(data: Any) -> List[Dict[str, Any]]:
    if not isinstance(data, dict):
        return []
    if isinstance(data.get("cells"), list):
        return [cell for cell in data["cells"] if isinstance(cell, dict)]
    sheets = data["worksheets"] if isinstance(data.get("worksheets"), list) else []
    return [
        cell
        for sheet in sheets
        if isinstance(sheet, dict)
        for cell in (sheet.get("cells") or [])
        if isinstance(cell, dict)
    ]


def _sources_joined(data: Any) -> Any:
    """The notebook with every cell source as one string (a list may split the same text differently)."""
    for cell in _cell_dicts(data):
        for key in ("source", "input"):
            if isinstance(cell.get(key), list):
                cell[key] = "".join(str(part) for part in cell[key])
    return data


def nbformat_problem(text: str) -> Optional[str]:
    """Why nbformat would not load or validate this notebook; None if it does, or if nbformat is not installed."""
    try:
        import nbformat
    except ImportError:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            notebook = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
            nbformat.validate(notebook)
    except Exception as error:  # nbformat raises ValidationError, NotJSONError, reader errors...
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return f"nbformat does not accept it: {message}"
    return None
