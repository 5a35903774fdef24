"""Formatters turn findings into text; they never decide anything."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Tuple

from nnlint.finding import Finding

if TYPE_CHECKING:
    from nnlint.notebooks import Notebook


@dataclass
class FormatOptions:
    """How the report is shown: ``--show-source``, colour (only on a terminal), sources not on disk (stdin)."""

    show_source: bool = False
    color: bool = False
    fixable: Optional[Callable[[Finding], bool]] = None  # set: a fixable finding is marked [*] (text, grouped)
    sources: Dict[str, str] = field(default_factory=dict)
    _lines: Dict[str, List[str]] = field(default_factory=dict, repr=False)
    _notebooks: Dict[str, Optional["Notebook"]] = field(default_factory=dict, repr=False)

    def lines_of(self, path: str, cell: Optional[int] = None) -> List[str]:
        """The file's lines as linted (stdin text or the file on disk), or a notebook cell's; empty when unreadable."""
        if cell is not None:
            notebook = self.notebook(path)
            found = notebook.cell(cell) if notebook is not None else None
            return found.source.splitlines() if found is not None else []
        if path not in self._lines:
            text = self.sources.get(path)
            if text is None:
                from nnlint.analysis.source import SourceError, read_source

                try:
                    text = read_source(Path(path))
                except SourceError:
                    text = ""
            self._lines[path] = text.splitlines()
        return self._lines[path]

    def notebook(self, path: str) -> Optional["Notebook"]:
        """The notebook at ``path`` (stdin's text or the file), read once; None when unreadable."""
        if path not in self._notebooks:
            from nnlint.notebooks import NotebookError, parse_notebook, read_notebook

            try:
                text = self.sources.get(path)
                self._notebooks[path] = (
                    parse_notebook(text) if text is not None else read_notebook(Path(path).read_bytes())
                )
            except (OSError, NotebookError):
                self._notebooks[path] = None
        return self._notebooks[path]

    def file_span(self, finding: Finding) -> Tuple[int, int, Optional[int], Optional[int]]:
        """(line, column, end line, end column) in the file itself: for a notebook cell, on the file's JSON lines."""
        if finding.cell is None:
            return finding.line, finding.column, finding.end_line, finding.end_column
        notebook = self.notebook(finding.path)
        start = notebook.file_position(finding.cell, finding.line, finding.column) if notebook is not None else None
        if start is None:
            return 1, 1, None, None
        end = None
        if finding.end_line is not None and finding.end_column is not None and notebook is not None:
            end = notebook.file_position(finding.cell, finding.end_line, finding.end_column)
        return start[0], start[1], end[0] if end else None, end[1] if end else None


def cell_prefix(finding: Finding) -> str:
    """``cell 4, line 2: `` before the message of a notebook finding placed on the file's own lines."""
    return "" if finding.cell is None else f"cell {finding.cell}, line {finding.line}: "


def unicode_safe(value: Any) -> Any:
    """``value`` with every string valid Unicode, for JSON readers that insist on it: a file name's
    undecodable bytes (lone surrogates, as Python reads them) become ``\\xNN``, as Python shows them."""
    if isinstance(value, str):
        if value.isascii():
            return value
        try:
            value.encode("utf-8")
            return value
        except UnicodeEncodeError:
            return "".join(_escape_surrogate(char) for char in value)
    if isinstance(value, dict):
        return {unicode_safe(key): unicode_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [unicode_safe(item) for item in value]
    return value


def _escape_surrogate(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    if 0xD800 <= code <= 0xDFFF:
        return f"\\u{code:04x}"
    return char


Formatter = Callable[[Sequence[Finding], FormatOptions], str]
# each format's module, imported when the format is first used (a run prints one report: importing all ten
# cost a warm run a tenth of its time); each module registers its formatter under that name
FORMAT_MODULES: Dict[str, str] = {
    "github": "github",
    "gitlab": "gitlab",
    "grouped": "grouped",
    "json": "json_format",
    "json-lines": "json_lines",
    "junit": "junit",
    "pylint": "pylint",
    "rdjson": "rdjson",
    "sarif": "sarif",
    "text": "text",
}
FORMATTERS: Dict[str, Formatter] = {}  # the formats whose module is imported


def register(name: str) -> Callable[[Formatter], Formatter]:
    def decorate(func: Formatter) -> Formatter:
        FORMATTERS[name] = func
        return func

    return decorate


def formatter(name: str) -> Formatter:
    """The formatter of a format named in :data:`FORMAT_MODULES` (its module imported on first use)."""
    if name not in FORMATTERS:
        import importlib

        importlib.import_module(f"{__name__}.{FORMAT_MODULES[name]}")
    return FORMATTERS[name]


def format_findings(name: str, findings: Sequence[Finding], options: Optional[FormatOptions] = None) -> str:
    return formatter(name)(findings, options or FormatOptions())
