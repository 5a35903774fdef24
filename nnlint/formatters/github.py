"""GitHub Actions workflow commands: one ``::warning file=...::message`` annotation per finding."""

from __future__ import annotations

from typing import Optional, Sequence

from nnlint.finding import Finding, Severity
from nnlint.formatters import FormatOptions, cell_prefix, register

_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, options: Optional[FormatOptions] = None) -> str:
    """One annotation; a notebook finding is placed on the file's own (JSON) lines, its cell named in the message."""
    line, column, end_line, end_column = (options or FormatOptions()).file_span(finding)
    properties = {
        "file": finding.path,
        "line": line,
        "col": column,
        "endLine": end_line if end_line is not None else line,
        "endColumn": end_column if end_column is not None else column,
        "title": f"{finding.code} {finding.name}",
    }
    if properties["endLine"] != line:
        del properties["endColumn"]  # GitHub only accepts col/endColumn on one-line annotations
        del properties["col"]
    rendered = ",".join(f"{key}={_escape_property(str(value))}" for key, value in properties.items())
    return (
        f"::{_LEVELS.get(finding.severity, 'warning')} "
        f"{rendered}::{_escape_data(f'{finding.code} {cell_prefix(finding)}{finding.message}')}"
    )


@register("github")
def format_github(findings: Sequence[Finding], options: Optional[FormatOptions] = None) -> str:
    return "".join(annotation(finding, options) + "\n" for finding in findings)
