"""flake8-style text: ``path:line:col: CODE message``, optionally with the source line and a caret line."""

from __future__ import annotations

from typing import List, Optional, Sequence

import click

from nnlint.finding import Finding, Severity
from nnlint.formatters import FormatOptions, register

_CODE_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def _status(finding: Finding) -> str:
    if finding.source.value == "dynamic":
        return " [dynamic]"
    if finding.confirmed is True:
        return " [confirmed at run time]"
    if finding.confirmed is False:
        return " [not seen at run time]"
    return ""


def format_line(finding: Finding, color: bool = False) -> str:
    """``path:line:col: CODE message``; in a notebook ``path:cell N:line:col: CODE message`` (as ruff writes it)."""
    cell = f"cell {finding.cell}:" if finding.cell is not None else ""
    if not color:
        return (
            f"{finding.path}:{cell}{finding.line}:{finding.column}: {finding.code} {finding.message}{_status(finding)}"
        )
    path = click.style(finding.path, bold=True)
    code = click.style(finding.code, fg=_CODE_COLOURS.get(finding.severity, "yellow"), bold=True)
    status = _status(finding)
    return (
        f"{path}:{cell}{finding.line}:{finding.column}: {code} "
        f"{finding.message}{click.style(status, dim=True) if status else ''}"
    )


MAX_EXCERPT_LINES = 20  # a finding spanning more lines shows its first ones and a "..." line


def source_excerpt(finding: Finding, lines: Sequence[str], color: bool = False) -> List[str]:
    """Every line of the finding's span, each with a caret line under the part of it the span covers."""
    if not 0 < finding.line <= len(lines):
        return []
    last = finding.end_line if finding.end_line is not None and finding.end_line >= finding.line else finding.line
    last = min(last, len(lines))
    shown = min(last, finding.line + MAX_EXCERPT_LINES - 1)
    out: List[str] = []
    for number in range(finding.line, shown + 1):
        text = lines[number - 1].rstrip("\r\n")
        first, final = number == finding.line, number == finding.end_line
        start = max(min(finding.column - 1, len(text)), 0) if first else len(text) - len(text.lstrip())
        if final and finding.end_column is not None:
            end = max(min(finding.end_column - 1, len(text)), start + 1)
        else:
            end = max(len(text.rstrip()), start + 1)
        # keep the line's own tabs in the padding so the carets line up in any tab width
        padding = "".join(ch if ch == "\t" else " " for ch in text[:start])
        carets = "^" * (end - start)
        if color:
            carets = click.style(carets, fg="red", bold=True)
        out.extend([f"    {text}", f"    {padding}{carets}"])
    if shown < last:
        out.append(f"    ... ({last - shown} more lines)")
    return out


def mark_fixable(line: str, finding: Finding) -> str:
    """The report line with ``[*]`` after the code, as ruff marks what ``--fix`` would fix."""
    head, code, rest = line.partition(f" {finding.code} ")
    return f"{head}{code}[*] {rest}" if code else line


@register("text")
def format_text(findings: Sequence[Finding], options: Optional[FormatOptions] = None) -> str:
    options = options or FormatOptions()
    out: List[str] = []
    for finding in findings:
        line = format_line(finding, options.color)
        if options.fixable is not None and options.fixable(finding):
            line = mark_fixable(line, finding)
        out.append(line)
        if options.show_source:
            out.extend(source_excerpt(finding, options.lines_of(finding.path, finding.cell), options.color))
    return "".join(line + "\n" for line in out)
