"""``# noqa`` comments and file-level ``# nnlint: skip-file`` / ``# nnlint: ignore-file: CODES``; flake8's and
ruff's file-level forms too: ``# flake8: noqa`` or ``# ruff: noqa`` alone on a line skips the file, and
``# ruff: noqa: CODES`` (or ``# flake8: noqa: CODES``) ignores those codes in the whole file, as ruff reads them."""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, List, Optional

from nnlint.finding import Finding

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.I)
_SKIP_FILE = re.compile(r"^\s*#\s*(?:nnlint:\s*skip-file\b|(?:flake8|ruff)\s*:\s*noqa\s*$)", re.M | re.I)
_IGNORE_FILE = re.compile(
    r"^\s*#\s*(?:nnlint:\s*ignore-file|(?:flake8|ruff)\s*:\s*noqa)\s*:\s*(?P<codes>[A-Z]+[0-9]*(?:[\s,]+[A-Z]+[0-9]*)*)[\s,]*$",
    re.M | re.I,
)

ALL = frozenset({"*"})


def skips_file(source: str) -> bool:
    return bool(_SKIP_FILE.search(source))


def file_ignores(source: str) -> FrozenSet[str]:
    codes: List[str] = []
    for match in _IGNORE_FILE.finditer(source):
        codes.extend(code.upper() for code in re.split(r"[\s,]+", match["codes"]) if code)
    return frozenset(codes)


def noqa_codes(line: str) -> Optional[FrozenSet[str]]:
    """Codes a line's ``# noqa`` suppresses: ALL for a bare noqa, None when there is none."""
    match = _NOQA.search(line)
    if match is None:
        return None
    if match["codes"] is None:
        return ALL
    return frozenset(code.upper() for code in re.split(r"[\s,]+", match["codes"]) if code)


def _suppressed_by(codes: Optional[FrozenSet[str]], code: str) -> bool:
    if codes is None:
        return False
    return codes is ALL or any(code.startswith(c) for c in codes)


def apply_suppressions(findings: List[Finding], source: str) -> List[Finding]:
    """Drop findings silenced by a ``# noqa`` on their first or last line, or by a file-level ignore."""
    if not findings:
        return findings
    lines = source.splitlines()
    per_file = file_ignores(source)
    cache: Dict[int, Optional[FrozenSet[str]]] = {}

    def codes_at(number: int) -> Optional[FrozenSet[str]]:
        if number not in cache:
            cache[number] = noqa_codes(lines[number - 1]) if 0 < number <= len(lines) else None
        return cache[number]

    kept = []
    for finding in findings:
        if any(finding.code.startswith(code) for code in per_file):
            continue
        lines_to_check = {finding.line, finding.end_line or finding.line}
        if any(_suppressed_by(codes_at(number), finding.code) for number in lines_to_check):
            continue
        kept.append(finding)
    return kept
