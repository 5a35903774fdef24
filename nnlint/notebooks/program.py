"""A notebook's code cells as one Python program, and the mapping between its lines and the cells'.

The code cells are laid one after another in notebook order (markdown and raw cells skipped, IPython
syntax masked line for line by :mod:`nnlint.notebooks.magics`), each ending with a line break, so a
model defined in cell 3 and trained in cell 9 is one module to the analysis. Program line ``n`` is line
``k`` of cell ``c``, with the same columns; findings, their fixes and run-time frames are translated
both ways here (a cell IPython dedents also shifts the columns of its lines, by ``shifts``).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from nnlint.finding import Edit, Finding, Fix
from nnlint.notebooks.magics import MaskedLine, mask_cell
from nnlint.notebooks.reader import Notebook

_LINE_REFERENCE = re.compile(r"\bline (\d+)\b")


@dataclass(frozen=True)
class CellLine:
    cell: int  # 1-based cell number among all the notebook's cells
    line: int  # 1-based line in that cell


@dataclass(frozen=True)
class ProgramCell:
    number: int
    first_line: int  # program line of the cell's first line
    line_count: int
    source: str  # the cell as written (magics included)


@dataclass
class NotebookProgram:
    text: str
    origins: List[CellLine] = field(default_factory=list)  # index: program line - 1
    masked: Dict[int, MaskedLine] = field(default_factory=dict)  # program line -> the magic masked there
    cells: List[ProgramCell] = field(default_factory=list)
    shifts: Dict[int, int] = field(default_factory=dict)  # program line -> columns its cell line has more

    @classmethod
    def from_notebook(cls, notebook: Notebook) -> "NotebookProgram":
        return cls.from_cells([(cell.number, cell.source) for cell in notebook.code_cells()])

    @classmethod
    def from_cells(cls, cells: Sequence[Tuple[int, str]]) -> "NotebookProgram":
        """From (cell number, source) of the code cells, in order."""
        program = cls("")
        pieces: List[str] = []
        for number, source in cells:
            masked = mask_cell(source)
            lines = list(masked.lines)
            if lines and not lines[-1].endswith(("\n", "\r")):
                lines[-1] += "\n"
            first = len(program.origins) + 1
            program.cells.append(ProgramCell(number, first, len(lines), source))
            for index in range(len(lines)):
                program.origins.append(CellLine(number, index + 1))
            for entry in masked.masked:
                program.masked[first + entry.line - 1] = entry
            for index, shift in enumerate(masked.shifts):
                if shift:
                    program.shifts[first + index] = shift
            pieces.extend(lines)
        program.text = "".join(pieces)
        return program

    # ------------------------------------------------------------------------ program -> cells
    def locate(self, line: int) -> Optional[CellLine]:
        """The cell line of a program line; past the end, the last line of the last code cell."""
        if not self.origins:
            return None
        if line < 1:
            return self.origins[0]
        return self.origins[min(line, len(self.origins)) - 1]

    def cell_text_position(self, line: int, column: int) -> Optional[Tuple[CellLine, int]]:
        """(cell line, column) of a program position, for an edit: None on a masked line or past the end."""
        if not 0 < line <= len(self.origins) or line in self.masked:
            return None
        return self.origins[line - 1], column + self.shifts.get(line, 0)

    def to_cells(self, finding: Finding) -> Finding:
        """A finding in program positions, placed in its cell (message line references included)."""
        start = self.locate(finding.line)
        if start is None:
            return finding
        end_line, end_column = finding.end_line, finding.end_column
        if end_line is not None:
            end = self.locate(end_line)
            if end is None or end.cell != start.cell:
                end_line, end_column = None, None
            else:
                end_column = end_column + self.shifts.get(end_line, 0) if end_column is not None else None
                end_line = end.line
        return dataclasses.replace(
            finding,
            cell=start.cell,
            line=start.line,
            column=finding.column + self.shifts.get(finding.line, 0),
            end_line=end_line,
            end_column=end_column,
            message=self.describe_lines(finding.message),
            evidence=self._evidence_in_cells(finding.evidence),
            fix=self._fix_in_cells(finding.fix),
        )

    def _evidence_in_cells(self, evidence: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
        if not evidence:
            return evidence
        return {key: self.describe_lines(value) if isinstance(value, str) else value for key, value in evidence.items()}

    def describe_lines(self, message: str) -> str:
        """``line 42`` in a rule's message (a program line) becomes ``cell 7, line 3``."""

        def replace(match: "re.Match[str]") -> str:
            origin = self.locate(int(match.group(1)))
            return match.group(0) if origin is None else f"cell {origin.cell}, line {origin.line}"

        return _LINE_REFERENCE.sub(replace, message)

    def cell_edits(self, edits: Sequence[Edit]) -> Optional[List[Edit]]:
        """The edits in cell positions (``Edit.cell`` set); None if one touches a magic or spans cells."""
        mapped: List[Edit] = []
        for edit in edits:
            start = self.cell_text_position(edit.line, edit.column)
            end = self.cell_text_position(edit.end_line, edit.end_column)
            if start is None or end is None or start[0].cell != end[0].cell:
                return None
            if any(line in self.masked for line in range(edit.line, edit.end_line + 1)):
                return None
            mapped.append(Edit(start[0].line, start[1], end[0].line, end[1], edit.replacement, cell=start[0].cell))
        return mapped

    def _fix_in_cells(self, fix: Optional[Fix]) -> Optional[Fix]:
        if fix is None:
            return None
        edits = self.cell_edits(fix.edits)
        return None if edits is None else Fix(fix.description, tuple(edits), fix.safe)

    # ------------------------------------------------------------------------ cells -> program
    def program_line(self, cell: int, line: int) -> Optional[int]:
        for entry in self.cells:
            if entry.number == cell:
                return entry.first_line + line - 1 if 0 < line <= entry.line_count else None
        return None

    def to_program(self, finding: Finding, path: str) -> Finding:
        """A finding in cell positions placed back in the program (run-time evidence is matched there)."""
        if finding.cell is None:
            return dataclasses.replace(finding, path=path)
        line = self.program_line(finding.cell, finding.line) or 1
        end_line = self.program_line(finding.cell, finding.end_line) if finding.end_line is not None else None
        column = max(1, finding.column - self.shifts.get(line, 0))
        end_column = (
            finding.end_column - self.shifts.get(end_line, 0)
            if end_line is not None and finding.end_column is not None
            else None
        )
        return dataclasses.replace(
            finding, path=path, cell=None, line=line, column=column, end_line=end_line, end_column=end_column, fix=None
        )

    def masked_summary(self, limit: int = 3) -> str:
        """``3 IPython lines (cell 1, line 1: `%matplotlib inline`; ...)``, for notes to the user."""
        entries = sorted(self.masked.items())
        shown = "; ".join(
            f"cell {self.origins[line - 1].cell}, line {entry.line}: `{entry.text.strip()}`"
            for line, entry in entries[:limit]
        )
        more = f"; and {len(entries) - limit} more" if len(entries) > limit else ""
        return f"{len(entries)} IPython line{'s' if len(entries) != 1 else ''} ({shown}{more})"
