"""GitLab Code Quality: a JSON list of issues (``description``, ``check_name``, ``fingerprint``,
``severity``, ``location.path`` and ``location.lines.begin``), paths relative to the project folder."""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from typing import Any, Dict, Optional, Sequence

from nnlint.finding import Finding, Severity
from nnlint.formatters import FormatOptions, cell_prefix, register, unicode_safe

_SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def _project_path(path: str) -> str:
    """The path as GitLab shows it: relative to $CI_PROJECT_DIR (or the current folder) where it lies below it."""
    base = os.environ.get("CI_PROJECT_DIR") or os.getcwd()
    if os.path.isabs(path):
        relative = os.path.relpath(path, base)
        if not relative.startswith(".."):
            path = relative
    return path.replace(os.sep, "/")


@register("gitlab")
def format_gitlab(findings: Sequence[Finding], options: Optional[FormatOptions] = None) -> str:
    options = options or FormatOptions()
    seen: Counter = Counter()
    issues = []
    for finding in findings:
        path = _project_path(finding.path)
        # stable while lines move: the file, the code, the flagged line's text and which of its repeats this is
        lines = options.lines_of(finding.path, finding.cell)
        text = lines[finding.line - 1].strip() if 0 < finding.line <= len(lines) else finding.message
        key = (path, finding.code, text)
        seen[key] += 1
        fingerprint = hashlib.sha256(json.dumps([*key, seen[key]], ensure_ascii=True).encode("ascii")).hexdigest()
        line, _, end_line, _ = options.file_span(finding)
        issue: Dict[str, Any] = {
            "description": f"{finding.code} {cell_prefix(finding)}{finding.message}",
            "check_name": finding.code,
            "fingerprint": fingerprint,
            "severity": _SEVERITIES.get(finding.severity, "minor"),
            "location": {"path": path, "lines": {"begin": line, "end": end_line if end_line is not None else line}},
        }
        issues.append(issue)
    return json.dumps(unicode_safe(issues), indent=2) + "\n"
