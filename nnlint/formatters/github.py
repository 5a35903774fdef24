"""GitHub Actions workflow commands: one ``::warning file=...::message`` annotation per finding."""
from __future__ import annotations

from typing import Optional, Sequence

from nnlint.finding import Finding, Severity
from nnlint.formatters import FormatOptions, register

_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    properties = {
        "file": finding.path,
        "line": finding.line,
        "col": finding.column,
        "endLine": finding.end_line if finding.end_line is not None else finding.line,
        "endColumn": finding.end_column if finding.end_column is not None else finding.column,
        "title": f"{finding.code} {finding.name}",
    }
    if properties["endLine"] != finding.line:
        del properties["endColumn"]  # GitHub only accepts col/endColumn on one-line annotations
        del properties["col"]
    rendered = ",".join(f"{key}={_escape_property(str(value))}" for key, value in properties.items())
    return f"::{_LEVELS.get(finding.severity, 'warning')} {rendered}::{_escape_data(f'{finding.code} {finding.message}')}"


@register("github")
def format_github(findings: Sequence[Finding], options: Optional[FormatOptions] = None) -> str:
    return "".join(annotation(finding) + "\n" for finding in findings)
