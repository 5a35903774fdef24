"""Findings: the plain data every rule, probe and formatter exchanges."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import Enum
from typing import Any, Dict, Optional


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Source(str, Enum):
    STATIC = "static"
    DYNAMIC = "dynamic"


@dataclass(frozen=True)
class Edit:
    """Replace the text between two 1-based (line, column) positions; columns are 0-based offsets."""

    line: int
    column: int
    end_line: int
    end_column: int
    replacement: str
    cell: Optional[int] = None  # in a notebook: the 1-based cell the positions are in


def edit_record(edit: Edit) -> Dict[str, Any]:
    """An edit as machine-readable reports give it: 1-based lines and columns, as findings have them."""
    record = dataclasses.asdict(edit)
    record["column"] += 1
    record["end_column"] += 1
    return record


@dataclass(frozen=True)
class Fix:
    """A mechanical rewrite attached to a finding. ``safe`` (the default) fixes are applied by ``--fix``;
    the others (the code's behaviour may change: review them) only with ``--unsafe-fixes``."""

    description: str
    edits: tuple = ()
    safe: bool = True


@dataclass
class Finding:
    path: str
    line: int
    column: int
    code: str
    name: str
    message: str
    end_line: Optional[int] = None
    end_column: Optional[int] = None
    severity: Severity = Severity.WARNING
    source: Source = Source.STATIC
    confirmed: Optional[bool] = None
    evidence: Optional[Dict[str, Any]] = None
    fix: Optional[Fix] = None
    cell: Optional[int] = None  # in a notebook: the 1-based cell (among all cells) that line and column are in

    def sort_key(self) -> tuple:
        return (self.path, self.cell or 0, self.line, self.column, self.code, self.message)

    def to_dict(self) -> Dict[str, Any]:
        return {
            "path": self.path,
            "cell": self.cell,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line if self.end_line is not None else self.line,
            "end_column": self.end_column if self.end_column is not None else self.column,
            "code": self.code,
            "name": self.name,
            "message": self.message,
            "severity": self.severity.value,
            "source": self.source.value,
            "confirmed": self.confirmed,
            "evidence": self.evidence,
            "fix": None
            if self.fix is None
            else {
                "description": self.fix.description,
                "safe": self.fix.safe,
                "edits": [edit_record(edit) for edit in self.fix.edits],
            },
        }
