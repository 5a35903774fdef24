"""Reading ``.ipynb`` files: the cells, and where each cell's source text lies in the file's JSON.

Plain JSON, not the ``nbformat`` package: linting must not need it, and nbformat's reader keeps no
positions. The file is walked once with the standard library's C-accelerated JSON scanner; for every
cell the offsets of its ``source`` strings in the raw text are kept, so a finding can be placed on the
file's own lines (SARIF, GitHub annotations) and a fix can rewrite exactly the changed strings.
Notebook formats 4.x (``cells``) and 3.x (``worksheets[].cells[].input``) are read.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from json.decoder import scanstring  # type: ignore[attr-defined]  # public at run time, absent from typeshed
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

NOTEBOOK_SUFFIX = ".ipynb"
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_SOURCE_KEYS = ("source", "input")  # nbformat 4, nbformat 3


def is_notebook_path(path: str) -> bool:
    return path.lower().endswith(NOTEBOOK_SUFFIX)


class NotebookError(Exception):
    """A file that is not a readable notebook; ``line``/``column`` locate the problem in the raw file."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True)
class SourcePiece:
    """One JSON string of a cell's source: its raw span (quotes included) and its decoded text."""

    start: int
    end: int
    text: str


@dataclass
class NotebookCell:
    index: int  # 0-based position among all cells; the cell's number is index + 1
    kind: str  # code, markdown, raw (heading in nbformat 3)
    source: str
    pieces: Tuple[SourcePiece, ...] = ()  # empty for cells that do not come from a file
    source_key: str = "source"
    source_span: Optional[Tuple[int, int]] = None  # raw span of the whole source value
    source_is_list: bool = True

    @property
    def number(self) -> int:
        return self.index + 1


@dataclass
class Notebook:
    cells: List[NotebookCell]
    language: str = "python"
    text: Optional[str] = None  # the raw JSON, when read from a file
    data: Any = None  # the parsed JSON, when read from a file
    bom: bool = False
    _line_starts: Optional[List[int]] = field(default=None, repr=False)

    @property
    def is_python(self) -> bool:
        return self.language.lower().startswith(("python", "ipython"))

    @classmethod
    def from_sources(cls, cells: Sequence[Tuple[str, str]], language: str = "python") -> "Notebook":
        """A notebook from (kind, source) pairs: editor buffers and the IPython history."""
        return cls([NotebookCell(index, kind, source) for index, (kind, source) in enumerate(cells)], language)

    def code_cells(self) -> List[NotebookCell]:
        return [cell for cell in self.cells if cell.kind == "code"]

    def cell(self, number: int) -> Optional[NotebookCell]:
        return self.cells[number - 1] if 0 < number <= len(self.cells) else None

    # ------------------------------------------------------------------ positions in the raw file
    def file_position(self, number: int, line: int, column: int) -> Optional[Tuple[int, int]]:
        """(line, column), both 1-based, in the raw JSON file of a 1-based cell line and column."""
        cell = self.cell(number)
        if cell is None or self.text is None or not cell.pieces:
            return None
        offset = _cell_offset(cell.source, line, column)
        if offset is None:
            return None
        starts = [0]
        for piece in cell.pieces:
            starts.append(starts[-1] + len(piece.text))
        index = max(0, min(bisect.bisect_right(starts, offset) - 1, len(cell.pieces) - 1))
        piece = cell.pieces[index]
        raw = _raw_offset(self.text, piece, min(offset - starts[index], len(piece.text)))
        return self._raw_line_column(raw)

    def _raw_line_column(self, offset: int) -> Tuple[int, int]:
        assert self.text is not None
        if self._line_starts is None:
            self._line_starts = [0] + [match.end() for match in re.finditer(r"\r\n|\r|\n", self.text)]
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> List[str]:
    """Lines with their endings, split the way Python counts lines (not str.splitlines' extra breaks)."""
    lines: List[str] = []
    position = 0
    for match in _LINE_BREAK.finditer(text):
        lines.append(text[position : match.end()])
        position = match.end()
    if position < len(text):
        lines.append(text[position:])
    return lines


def _cell_offset(source: str, line: int, column: int) -> Optional[int]:
    lines = split_lines(source)
    if not 0 < line <= max(len(lines), 1):
        return None
    before = sum(len(text) for text in lines[: line - 1])
    current = lines[line - 1].rstrip("\r\n") if lines else ""
    return before + max(0, min(column - 1, len(current)))


def _raw_offset(text: str, piece: SourcePiece, decoded: int) -> int:
    """Raw offset of the ``decoded``-th character of a JSON string literal (escapes counted as one)."""
    position, count = piece.start + 1, 0
    while count < decoded and position < piece.end - 1:
        if text[position] != "\\":
            position += 1
        elif text[position + 1] != "u":
            position += 2
        else:
            code = int(text[position + 2 : position + 6], 16)
            position += 6
            if 0xD800 <= code < 0xDC00 and text.startswith("\\u", position):
                low = int(text[position + 2 : position + 6], 16)
                if 0xDC00 <= low < 0xE000:
                    position += 6  # a surrogate pair decodes to one character
        count += 1
    return position


# ------------------------------------------------------------------------------------- reading
def read_notebook(data: bytes) -> Notebook:
    """Parse a notebook file's bytes (UTF-8, with or without BOM)."""
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise NotebookError(f"not a notebook: the file is not UTF-8 ({error.reason} at byte {error.start})") from None
    notebook = parse_notebook(text)
    notebook.bom = bom
    return notebook


def parse_notebook(text: str) -> Notebook:
    """Parse a notebook's JSON text, keeping the raw position of every cell source."""
    walker = _Walker(text)
    try:
        data, end = walker.top()
        end = _skip(text, end)
        if end != len(text):
            raise json.JSONDecodeError("Extra data", text, end)
    except json.JSONDecodeError as error:
        raise NotebookError(f"not a notebook: invalid JSON: {error.msg}", error.lineno, error.colno) from None
    except RecursionError:
        raise NotebookError("not a notebook: JSON nested too deeply") from None
    cells = _cells(data, walker.sources)
    return Notebook(cells, _language(data), text, data)


def _skip(text: str, position: int) -> int:
    match = _WHITESPACE.match(text, position)
    return match.end() if match else position


Member = Callable[[str, int], Tuple[Any, int]]


class _Walker:
    """A JSON reader that descends by hand only where positions are wanted (cells and their sources)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.sources: Dict[int, Tuple[str, Tuple[int, int], Tuple[SourcePiece, ...], bool]] = {}  # id(cell dict) -> ...
        self._keep: List[Any] = []  # the cell dicts, alive so that their ids stay unique

    def _error(self, message: str, position: int) -> json.JSONDecodeError:
        return json.JSONDecodeError(message, self.text, position)

    def value(self, position: int) -> Tuple[Any, int]:
        return _DECODER.raw_decode(self.text, position)

    def top(self) -> Tuple[Any, int]:
        start = _skip(self.text, 0)
        if not self.text.startswith("{", start):
            return self.value(start)
        return self.object(
            start,
            lambda key, at: (
                self.cell_list(at) if key == "cells" else self.worksheets(at) if key == "worksheets" else self.value(at)
            ),
        )

    def object(self, position: int, member: Member) -> Tuple[Dict[str, Any], int]:
        text = self.text
        result: Dict[str, Any] = {}
        position = _skip(text, position + 1)
        if text.startswith("}", position):
            return result, position + 1
        while True:
            if not text.startswith('"', position):
                raise self._error("Expecting property name enclosed in double quotes", position)
            key, position = scanstring(text, position + 1)
            position = _skip(text, position)
            if not text.startswith(":", position):
                raise self._error("Expecting ':' delimiter", position)
            result[key], position = member(key, _skip(text, position + 1))
            position = _skip(text, position)
            if text.startswith(",", position):
                position = _skip(text, position + 1)
            elif text.startswith("}", position):
                return result, position + 1
            else:
                raise self._error("Expecting ',' delimiter", position)

    def array(self, position: int, element: Callable[[int], Tuple[Any, int]]) -> Tuple[List[Any], int]:
        text = self.text
        result: List[Any] = []
        position = _skip(text, position + 1)
        if text.startswith("]", position):
            return result, position + 1
        while True:
            item, position = element(position)
            result.append(item)
            position = _skip(text, position)
            if text.startswith(",", position):
                position = _skip(text, position + 1)
            elif text.startswith("]", position):
                return result, position + 1
            else:
                raise self._error("Expecting ',' delimiter", position)

    def worksheets(self, position: int) -> Tuple[Any, int]:
        if not self.text.startswith("[", position):
            return self.value(position)

        def sheet(at: int) -> Tuple[Any, int]:
            if self.text.startswith("{", at):
                return self.object(at, lambda key, p: self.cell_list(p) if key == "cells" else self.value(p))
            return self.value(at)

        return self.array(position, sheet)

    def cell_list(self, position: int) -> Tuple[Any, int]:
        if not self.text.startswith("[", position):
            return self.value(position)
        return self.array(position, self.cell)

    def cell(self, position: int) -> Tuple[Any, int]:
        if not self.text.startswith("{", position):
            return self.value(position)
        found: Dict[str, Tuple[Tuple[int, int], Tuple[SourcePiece, ...], bool]] = {}

        def member(key: str, at: int) -> Tuple[Any, int]:
            if key not in _SOURCE_KEYS:
                return self.value(at)
            value, end, pieces, is_list = self.source(at)
            found[key] = ((at, end), pieces, is_list)
            return value, end

        cell, end = self.object(position, member)
        for key in _SOURCE_KEYS:
            if key in found:
                span, pieces, is_list = found[key]
                self.sources[id(cell)] = (key, span, pieces, is_list)
                self._keep.append(cell)
                break
        return cell, end

    def source(self, position: int) -> Tuple[Any, int, Tuple[SourcePiece, ...], bool]:
        text = self.text
        if text.startswith('"', position):
            value, end = scanstring(text, position + 1)
            return value, end, (SourcePiece(position, end, value),), False
        if not text.startswith("[", position):
            value, end = self.value(position)
            return value, end, (), False
        pieces: List[SourcePiece] = []

        def element(at: int) -> Tuple[Any, int]:
            if not text.startswith('"', at):
                return self.value(at)
            value, end = scanstring(text, at + 1)
            pieces.append(SourcePiece(at, end, value))
            return value, end

        value, end = self.array(position, element)
        return value, end, tuple(pieces), True


def _raw_cells(data: Any) -> List[Any]:
    if not isinstance(data, dict):
        raise NotebookError("not a notebook: the top-level JSON value is not an object")
    if "cells" in data:
        cells = data["cells"]
    elif isinstance(data.get("worksheets"), list):  # nbformat 3
        cells = [cell for sheet in data["worksheets"] if isinstance(sheet, dict) for cell in (sheet.get("cells") or [])]
    else:
        raise NotebookError("not a notebook: no 'cells' list")
    if not isinstance(cells, list):
        raise NotebookError("not a notebook: 'cells' is not a list")
    return cells


def _cells(
    data: Any, sources: Dict[int, Tuple[str, Tuple[int, int], Tuple[SourcePiece, ...], bool]]
) -> List[NotebookCell]:
    cells: List[NotebookCell] = []
    for index, raw in enumerate(_raw_cells(data)):
        if not isinstance(raw, dict) or not isinstance(raw.get("cell_type"), str):
            raise NotebookError(f"not a notebook: cell {index + 1} has no cell_type")
        key, span, pieces, is_list = sources.get(id(raw), ("source", None, (), True))
        value = raw.get(key, "")
        if isinstance(value, list) and all(isinstance(part, str) for part in value):
            text = "".join(value)
        elif isinstance(value, str):
            text = value
        else:
            raise NotebookError(
                f"not a notebook: the source of cell {index + 1} is neither a string nor a list of strings"
            )
        cells.append(NotebookCell(index, raw["cell_type"], text, pieces, key, span, is_list))
    return cells


def _language(data: Dict[str, Any]) -> str:
    metadata = data.get("metadata")
    if not isinstance(metadata, dict):
        return "python"
    info = metadata.get("language_info")
    if isinstance(info, dict) and isinstance(info.get("name"), str) and info["name"]:
        return info["name"]
    kernel = metadata.get("kernelspec")
    if isinstance(kernel, dict) and isinstance(kernel.get("language"), str) and kernel["language"]:
        return kernel["language"]
    return "python"
