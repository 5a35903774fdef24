"""``%load_ext nnlint``: in IPython or a Jupyter kernel, lint each executed cell against the cells run before it.

The kernel's own history is the program: every cell that ran (in the order it ran, re-runs included) is
one cell, numbered by its ``In [n]``, of a notebook that nnlint lints as it lints an ``.ipynb`` file, and
the findings in the cell just run are printed under it. Findings that the new cell brings out in an
earlier cell (a DataLoader of ``In [2]`` that the loop of ``In [7]`` trains on without shuffling) are
printed too, once, naming that cell. A cell IPython could not run (a syntax error) is left out. Nothing is executed: the
extension only reads the cells' text after IPython has run them.
``%unload_ext nnlint`` stops it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, List, Optional, Set, Tuple

from nnlint.finding import Finding

_EVENT = "post_run_cell"
_SYNTAX_ERROR = "NN000"


_CELL_REFERENCE = re.compile(r"\bcell (\d+), line (\d+)")


@dataclass
class CellHistory:
    """The cells run so far, numbered by their ``In [n]``, and what has been shown of their findings."""

    cells: List[Tuple[int, str]] = field(default_factory=list)  # (number, source)
    shown: Set[Tuple[int, int, int, str, str]] = field(default_factory=set)

    def next_number(self, count: Optional[int]) -> int:
        last = self.cells[-1][0] if self.cells else 0
        return count if isinstance(count, int) and count > last else last + 1

    def lint(
        self, source: str, count: Optional[int], lint: Callable[[List[Tuple[int, str]]], List[Finding]]
    ) -> List[str]:
        """Add a cell that ran; the report lines to print under it."""
        number = self.next_number(count)
        findings = lint([*self.cells, (number, source)])
        if any(f.code == _SYNTAX_ERROR and f.cell == number for f in findings):
            return []  # IPython ran what nnlint cannot parse (a form of IPython syntax it does not mask): stay quiet
        self.cells.append((number, source))
        lines: List[str] = []
        for finding in findings:
            key = (finding.cell or 0, finding.line, finding.column, finding.code, finding.message)
            message = _CELL_REFERENCE.sub(r"In [\1] line \2", finding.message)
            if finding.cell == number:
                lines.append(f"nnlint: line {finding.line}:{finding.column}: {finding.code} {message}")
            elif finding.cell is not None and key not in self.shown:
                lines.append(
                    f"nnlint: In [{finding.cell}] line {finding.line}:{finding.column}: {finding.code} {message}"
                )
            self.shown.add(key)
        return lines


class CellLinter:
    """The ``post_run_cell`` callback registered by ``%load_ext nnlint``."""

    def __init__(self) -> None:
        self.history = CellHistory()

    def lint_cells(self, cells: List[Tuple[int, str]]) -> List[Finding]:
        from nnlint.config import Config, ConfigError, find_pyproject, load_config
        from nnlint.engine import Linter
        from nnlint.notebooks import Notebook, NotebookCell

        try:
            config = load_config(find_pyproject(Path.cwd()))
        except ConfigError as error:
            print(f"nnlint: {error}")
            config = Config()
        # a path in the working folder, so that `from models import Net` is followed as in a notebook file
        path = os.path.join(os.getcwd(), "ipython-session.ipynb")
        notebook = Notebook([NotebookCell(number - 1, "code", source) for number, source in cells])
        return Linter(config).lint_notebook(notebook, path)

    def __call__(self, result: Any) -> None:
        info = getattr(result, "info", None)
        source = getattr(info, "raw_cell", None)
        if not source or not source.strip() or getattr(result, "error_before_exec", None) is not None:
            return  # an empty cell, or one IPython could not run (its syntax error is already shown)
        try:
            lines = self.history.lint(source, getattr(result, "execution_count", None), self.lint_cells)
        except Exception as error:  # the extension must never break the user's session
            lines = [f"nnlint: internal error: {type(error).__name__}: {error}"]
        for line in lines:
            print(line)


def load(shell: Any) -> None:
    unload(shell)
    callback = CellLinter()
    shell._nnlint_callback = callback
    shell.events.register(_EVENT, callback)


def unload(shell: Any) -> None:
    callback = getattr(shell, "_nnlint_callback", None)
    if callback is not None:
        try:
            shell.events.unregister(_EVENT, callback)
        except ValueError:
            pass
        shell._nnlint_callback = None
