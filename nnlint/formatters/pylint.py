"""pylint's parseable format: ``path:line: [CODE(name)] message``, for tools that read pylint output."""

from __future__ import annotations

from typing import Optional, Sequence

from nnlint.finding import Finding
from nnlint.formatters import FormatOptions, cell_prefix, register


@register("pylint")
def format_pylint(findings: Sequence[Finding], options: Optional[FormatOptions] = None) -> str:
    options = options or FormatOptions()
    lines = []
    for finding in findings:
        line = options.file_span(finding)[0]  # a notebook's finding on the file's own lines, its cell named
        lines.append(
            f"{finding.path}:{line}: [{finding.code}({finding.name})] {cell_prefix(finding)}{finding.message}\n"
        )
    return "".join(lines)
