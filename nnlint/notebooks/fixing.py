"""``--fix`` / ``--diff`` on notebooks: the fix passes of :mod:`nnlint.autofix`, applied inside the cells.

Fixes are found in the notebook's program (its code cells as one module) and applied to the cells as
written: an edit is translated to its cell, and a fix that touches an IPython line or spans two cells
is not offered. The notebook is then rewritten string by string (:mod:`nnlint.notebooks.writer`) and
checked before it is written; a notebook that would not load (or, with nbformat installed, validate)
is left untouched and reported.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Tuple

from nnlint.autofix import FixError, FixOutcome, PassResult, apply_edits, fix_passes, unified_diff
from nnlint.finding import Edit, Finding
from nnlint.notebooks.program import NotebookProgram
from nnlint.notebooks.reader import Notebook, NotebookError, parse_notebook, read_notebook
from nnlint.notebooks.writer import NotebookWriteError, check_rewritten, rewrite_sources

if TYPE_CHECKING:
    from nnlint.engine import Linter

CellSources = Tuple[Tuple[int, str], ...]  # (cell number, source) of the code cells, in order


@dataclass
class NotebookDocument:
    """A notebook's code cells as the fix passes see them: one program, edited cell by cell."""

    linter: "Linter"
    path: str
    cells: CellSources

    def __post_init__(self) -> None:
        self.program = NotebookProgram.from_cells(self.cells)

    @property
    def python(self) -> str:
        return self.program.text

    def lint(self) -> List[Finding]:
        findings = self.linter.lint_python(self.program.text, self.path)
        return [
            f if f.fix is None or self.program.cell_edits(f.fix.edits) is not None else dataclasses.replace(f, fix=None)
            for f in findings
        ]

    def edited(self, edits: Sequence[Edit]) -> "NotebookDocument":
        in_cells = self.program.cell_edits(edits)
        if in_cells is None:
            raise FixError("an edit touches an IPython line or spans two cells")
        by_cell: Dict[int, List[Edit]] = {}
        for edit in in_cells:
            by_cell.setdefault(edit.cell or 0, []).append(edit)
        return NotebookDocument(
            self.linter,
            self.path,
            tuple(
                (number, apply_edits(source, by_cell[number]) if number in by_cell else source)
                for number, source in self.cells
            ),
        )

    def sources(self) -> Dict[int, str]:
        return {number: source for number, source in self.cells}


def fix_notebook(linter: "Linter", notebook: Notebook, path: str) -> Tuple[PassResult, Dict[int, str]]:
    """The fix passes over a notebook's code cells: (their result, the fixed source of each cell that changed, by
    0-based index)."""
    document = NotebookDocument(linter, path, tuple((cell.number, cell.source) for cell in notebook.code_cells()))
    result = fix_passes(document, allowed=linter.config.may_fix)
    fixed = result.document
    assert isinstance(fixed, NotebookDocument)
    result.remaining = [fixed.program.to_cells(f) for f in result.remaining]
    before = document.sources()
    changed = {number - 1: source for number, source in fixed.sources().items() if source != before[number]}
    return result, changed


def fix_notebook_text(linter: "Linter", text: str, path: str) -> FixOutcome:
    """Fix a notebook given as JSON text (stdin, an editor): the outcome's texts are the notebook's JSON."""
    try:
        notebook = parse_notebook(text)
    except NotebookError:
        return FixOutcome(path, text, text, remaining=linter.lint_source(text, path))
    return _outcome(linter, notebook, text, path)


def fix_notebook_file(linter: "Linter", path: Path, write: bool) -> Optional[FixOutcome]:
    """Fix a notebook file in place (when ``write``); None when it cannot be read as a notebook."""
    try:
        data = path.read_bytes()
        notebook = read_notebook(data)
    except (OSError, NotebookError):
        return None
    assert notebook.text is not None
    outcome = _outcome(linter, notebook, notebook.text, str(path))
    if outcome.changed and write:
        encoded = (b"\xef\xbb\xbf" if notebook.bom else b"") + outcome.fixed.encode("utf-8", "surrogatepass")
        try:
            path.write_bytes(encoded)
        except OSError as error:
            return _untouched(
                linter, notebook, path=str(path), text=notebook.text, reason=f"cannot write: {error.strerror or error}"
            )
    return outcome


def _outcome(linter: "Linter", notebook: Notebook, text: str, path: str) -> FixOutcome:
    if not notebook.is_python:
        return FixOutcome(path, text, text)
    result, changed = fix_notebook(linter, notebook, path)
    if not changed:
        return FixOutcome(path, text, text, remaining=result.remaining, error=result.error)
    try:
        fixed_text = rewrite_sources(notebook, changed)
    except NotebookWriteError as error:
        return _untouched(linter, notebook, path, text, f"cannot rewrite the notebook: {error}")
    problem = check_rewritten(notebook, fixed_text, changed)
    if problem is not None:
        return _untouched(linter, notebook, path, text, problem)
    diff = "".join(
        _cell_diff(path, notebook.cells[index].number, notebook.cells[index].source, source)
        for index, source in sorted(changed.items())
    )
    return FixOutcome(path, text, fixed_text, result.applied, result.remaining, result.error, diff=diff)


def _untouched(linter: "Linter", notebook: Notebook, path: str, text: str, reason: str) -> FixOutcome:
    return FixOutcome(path, text, text, remaining=linter.lint_notebook(notebook, path), error=reason)


def _cell_diff(path: str, number: int, before: str, after: str) -> str:
    """A unified diff of one cell's source, headed ``a/PATH:cell N`` (as ruff shows notebook diffs)."""
    return unified_diff(before, after, f"{path}:cell {number}")
