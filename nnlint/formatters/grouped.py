"""Findings grouped by file, as ruff's ``grouped`` format: the path, then ``  line:col CODE message`` lines."""

from __future__ import annotations

import itertools
from typing import List, Optional, Sequence

import click

from nnlint.finding import Finding
from nnlint.formatters import FormatOptions, register
from nnlint.formatters.text import source_excerpt


@register("grouped")
def format_grouped(findings: Sequence[Finding], options: Optional[FormatOptions] = None) -> str:
    options = options or FormatOptions()
    out: List[str] = []
    for path, group in itertools.groupby(findings, key=lambda finding: finding.path):
        members = list(group)
        out.append(click.style(path, bold=True, underline=True) if options.color else path)
        width = max(len(_where(finding)) for finding in members)
        for finding in members:
            code = click.style(finding.code, fg="yellow", bold=True) if options.color else finding.code
            mark = "[*] " if options.fixable is not None and options.fixable(finding) else ""
            out.append(f"  {_where(finding):<{width}} {code} {mark}{finding.message}")
            if options.show_source:
                out.extend(
                    "  " + line
                    for line in source_excerpt(finding, options.lines_of(finding.path, finding.cell), options.color)
                )
        out.append("")
    return "\n".join(out) + ("\n" if out else "")


def _where(finding: Finding) -> str:
    cell = f"cell {finding.cell}:" if finding.cell is not None else ""
    return f"{cell}{finding.line}:{finding.column}"
