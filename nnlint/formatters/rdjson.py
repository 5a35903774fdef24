"""reviewdog's Diagnostic Format (rdjson), for reviewdog to comment on pull requests; fixes become
suggestions. Positions are 1-based lines and columns, on a notebook's own (JSON) lines."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence

from nnlint.finding import Finding, Severity
from nnlint.formatters import FormatOptions, cell_prefix, register, unicode_safe

_SEVERITIES = {Severity.ERROR: "ERROR", Severity.WARNING: "WARNING", Severity.INFO: "INFO"}


def _position(line: int, column: int) -> Dict[str, int]:
    return {"line": line, "column": column}


def diagnostic(finding: Finding, options: FormatOptions) -> Dict[str, Any]:
    line, column, end_line, end_column = options.file_span(finding)
    entry: Dict[str, Any] = {
        "message": f"{cell_prefix(finding)}{finding.message}",
        "location": {
            "path": finding.path,
            "range": {
                "start": _position(line, column),
                "end": _position(
                    end_line if end_line is not None else line, end_column if end_column is not None else column
                ),
            },
        },
        "severity": _SEVERITIES.get(finding.severity, "WARNING"),
        "code": {"value": finding.code},
    }
    if finding.fix is not None and finding.cell is None:
        suggestions: List[Dict[str, Any]] = [
            {
                "range": {
                    "start": _position(edit.line, edit.column + 1),
                    "end": _position(edit.end_line, edit.end_column + 1),
                },
                "text": edit.replacement,
            }
            for edit in finding.fix.edits
        ]
        entry["suggestions"] = suggestions
    return entry


@register("rdjson")
def format_rdjson(findings: Sequence[Finding], options: Optional[FormatOptions] = None) -> str:
    options = options or FormatOptions()
    document = {
        "source": {"name": "nnlint"},
        "severity": "WARNING",
        "diagnostics": [diagnostic(finding, options) for finding in findings],
    }
    return json.dumps(unicode_safe(document), indent=2) + "\n"
