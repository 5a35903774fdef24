"""flake8-style text: ``path:line:col: CODE message``."""
from __future__ import annotations

from typing import Sequence

from nnlint.finding import Finding
from nnlint.formatters import register


def format_line(finding: Finding) -> str:
    status = ""
    if finding.source.value == "dynamic":
        status = " [dynamic]"
    elif finding.confirmed is True:
        status = " [confirmed at run time]"
    elif finding.confirmed is False:
        status = " [not seen at run time]"
    return f"{finding.path}:{finding.line}:{finding.column}: {finding.code} {finding.message}{status}"


@register("text")
def format_text(findings: Sequence[Finding]) -> str:
    return "".join(format_line(finding) + "\n" for finding in findings)
