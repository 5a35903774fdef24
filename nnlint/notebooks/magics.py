"""Masking IPython syntax in a code cell, line for line, so the cell parses as Python.

Every masked line keeps its place (the cell keeps its line count, unmasked lines keep every column),
so positions in the masked text are positions in the cell. Masked, as IPython reads them:

* a cell magic (``%%time``, ``%%bash``, ...) on the cell's first line: for the magics that run the
  cell's body as Python in the kernel (``%%time``, ``%%timeit``, ``%%capture``, ``%%prun``,
  ``%%debug``) only that line; for every other one the whole cell (shell, HTML, another file...);
* at the start of a logical line: line magics ``%name``, shell escapes ``!cmd`` / ``!!cmd``, help
  ``?obj`` / ``obj?`` / ``obj??``, the auto-call escapes ``/f x``, ``,f x``, ``;f x``, and the
  assignments ``x = %magic`` / ``x = !cmd``; a backslash at the end continues the magic on the next line.

A line that continues a statement (inside brackets, after a backslash, inside a triple-quoted string)
is never a magic: ``print('%d items'\\n      % n)`` keeps its second line. A masked line becomes ``pass``
at its own indentation (a valid statement wherever IPython's own replacement call would stand); the
lines of a whole-cell mask become empty.

A cell whose first line is indented is dedented by that indentation, as IPython does before running it;
that is the one change that moves columns, and :attr:`MaskedCell.shifts` records it per line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Tuple

from nnlint.notebooks.reader import split_lines

# cell magics whose body is Python executed in the kernel's namespace
PYTHON_BODY_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})
_LINE_ESCAPES = ("%", "!", "?", "/", ",", ";")
_ASSIGNED_MAGIC = re.compile(r"^\s*[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*[%!](?!=)")
_CELL_MAGIC = re.compile(r"^%%(?P<name>[\w.-]*)")


@dataclass(frozen=True)
class MaskedLine:
    line: int  # 1-based line in the cell
    text: str  # the original line, without its line ending
    kind: str  # "cell magic", "line magic", "shell command", "help", "auto-call"


@dataclass(frozen=True)
class MaskedCell:
    lines: Tuple[str, ...]  # the cell's lines as Python, each with its original line ending
    masked: Tuple[MaskedLine, ...]
    shifts: Tuple[int, ...] = ()  # per line: columns removed at its start (a dedented cell); empty if none

    @property
    def text(self) -> str:
        return "".join(self.lines)


class _LogicalLines:
    """Tracks, physical line by physical line, whether the next line starts a new logical line."""

    def __init__(self) -> None:
        self.string: Optional[str] = None  # the closing quote of the string the previous line left open
        self.depth = 0
        self.continued = False

    @property
    def at_statement_start(self) -> bool:
        return self.string is None and self.depth == 0 and not self.continued

    def feed(self, line: str) -> Optional[str]:
        """Consume one physical line; returns its last code character outside strings and comments."""
        body = line.rstrip("\r\n")
        last: Optional[str] = None
        self.continued = False
        position, length = 0, len(body)
        while position < length:
            char = body[position]
            if self.string is not None:
                if char == "\\":
                    if position == length - 1:
                        self.continued = True  # an escaped line break inside the string
                    position += 2
                elif body.startswith(self.string, position):
                    position += len(self.string)
                    self.string = None
                    last = char
                else:
                    position += 1
                continue
            if char == "#":
                break
            if char in "\"'":
                self.string = char * 3 if body.startswith(char * 3, position) else char
                position += len(self.string)
                continue
            if char in "([{":
                self.depth += 1
            elif char in ")]}":
                self.depth = max(0, self.depth - 1)
            elif char == "\\" and position == length - 1:
                self.continued = True
                break
            if not char.isspace():
                last = char
            position += 1
        if self.string in ("'", '"') and not self.continued:
            self.string = None  # an unterminated one-line string ends with its line (a syntax error; recover)
        if self.string is not None and len(self.string) == 1:
            self.continued = False  # the escaped break is the string's, the statement goes on through it
        return last


def _kind(stripped: str) -> str:
    return {"%": "line magic", "!": "shell command", "?": "help"}.get(stripped[:1], "auto-call")


def _statement_mask(line: str) -> Optional[str]:
    """The kind of IPython line that starts at this physical line, or None for Python."""
    stripped = line.lstrip()
    if stripped.startswith(_LINE_ESCAPES):
        return _kind(stripped)
    if _ASSIGNED_MAGIC.match(line):
        return "line magic" if line.split("=", 1)[1].lstrip().startswith("%") else "shell command"
    return None


def _pass_line(line: str) -> str:
    body = line.rstrip("\r\n")
    indent = body[: len(body) - len(body.lstrip())]
    return f"{indent}pass{line[len(body) :]}"


def _blank(line: str) -> str:
    return line[len(line.rstrip("\r\n")) :]


def _dedent(lines: List[str]) -> Tuple[List[str], Tuple[int, ...]]:
    """IPython's leading-indent rule: the first line's indentation is removed from every line that has it."""
    first = next((line for line in lines if line.strip()), "")
    prefix = first[: len(first) - len(first.lstrip(" \t"))]
    if not prefix:
        return lines, ()
    shifts = tuple(len(prefix) if line.startswith(prefix) else 0 for line in lines)
    return [line[shift:] for line, shift in zip(lines, shifts)], shifts


def mask_cell(source: str) -> MaskedCell:
    """The cell as Python: IPython-only lines replaced in place (see the module docstring)."""
    lines, shifts = _dedent(split_lines(source))
    cell = _mask_lines(lines)
    return MaskedCell(cell.lines, cell.masked, shifts) if shifts else cell


def _mask_lines(lines: List[str]) -> MaskedCell:
    out: List[str] = list(lines)
    masked: List[MaskedLine] = []
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None:
        cell_magic = _CELL_MAGIC.match(lines[first])
        if cell_magic is not None:
            if cell_magic["name"] not in PYTHON_BODY_CELL_MAGICS:
                for index, line in enumerate(lines):
                    if line.strip():
                        out[index] = _blank(line)
                        masked.append(MaskedLine(index + 1, line.rstrip("\r\n"), "cell magic"))
                return MaskedCell(tuple(out), tuple(masked))
            out[first] = _pass_line(lines[first])
            masked.append(MaskedLine(first + 1, lines[first].rstrip("\r\n"), "cell magic"))
            first += 1
        else:
            first = 0
    tracker = _LogicalLines()
    continuing: Optional[str] = None  # the kind of the magic a trailing backslash continues
    for index in range(first or 0, len(lines)):
        line = lines[index]
        body = line.rstrip("\r\n")
        if continuing is not None:
            out[index] = _blank(line)
            masked.append(MaskedLine(index + 1, body, continuing))
            continuing = continuing if body.endswith("\\") else None
            continue
        if tracker.at_statement_start and body.strip():
            kind = _statement_mask(body)
            if kind is None and _ends_with_help(body):
                kind = "help"
            if kind is not None:
                out[index] = _pass_line(line)
                masked.append(MaskedLine(index + 1, body, kind))
                continuing = kind if body.endswith("\\") else None
                continue
        tracker.feed(line)
    return MaskedCell(tuple(out), tuple(masked))


def _ends_with_help(body: str) -> bool:
    """``obj?`` / ``obj??`` / ``np.*load*?``: a statement whose last code character is a question mark."""
    probe = _LogicalLines()
    last = probe.feed(body)
    return last == "?" and probe.at_statement_start
