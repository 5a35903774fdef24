"""JUnit XML, for CI systems that show test reports: one test suite per file, one failing test case per finding."""

from __future__ import annotations

import itertools
from typing import Optional, Sequence

from nnlint.finding import Finding
from nnlint.formatters import FormatOptions, cell_prefix, register, unicode_safe


def _clean(value: str) -> str:
    """Text XML 1.0 can carry (no control characters, even escaped; valid Unicode)."""
    return "".join(ch if ch in "\t\n\r" or ord(ch) >= 0x20 else f"\\x{ord(ch):02x}" for ch in unicode_safe(value))


def _text(value: str) -> str:
    """A quoted attribute value."""
    from xml.sax.saxutils import quoteattr  # here: it imports urllib.request, a tenth of nnlint's start-up

    return quoteattr(_clean(value))


@register("junit")
def format_junit(findings: Sequence[Finding], options: Optional[FormatOptions] = None) -> str:
    from xml.sax.saxutils import escape

    out = ['<?xml version="1.0" encoding="UTF-8"?>']
    count = len(findings)
    out.append(f'<testsuites name="nnlint" tests="{max(count, 1)}" failures="{count}" errors="0">')
    if not findings:
        out.append('  <testsuite name="nnlint" tests="1" failures="0" errors="0">')
        out.append('    <testcase name="no findings" classname="nnlint"/>')
        out.append("  </testsuite>")
    for path, group in itertools.groupby(findings, key=lambda finding: finding.path):
        members = list(group)
        out.append(f'  <testsuite name={_text(path)} tests="{len(members)}" failures="{len(members)}" errors="0">')
        for finding in members:
            where = f"{cell_prefix(finding)}line {finding.line}, col {finding.column}"
            out.append(
                f"    <testcase name={_text(f'nnlint.{finding.code}')} classname={_text(path)} "
                f'line="{finding.line}" column="{finding.column}">'
            )
            body = escape(_clean(f"{where}: {finding.message}"))
            out.append(f"      <failure message={_text(finding.message)} type={_text(finding.code)}>{body}</failure>")
            out.append("    </testcase>")
        out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"
