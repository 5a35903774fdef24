"""SARIF 2.1.0 (for GitHub code scanning and other SARIF viewers), with each rule's documentation as help."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Type
from urllib.parse import quote

from nnlint import __version__
from nnlint.finding import Edit, Finding, Severity
from nnlint.formatters import FormatOptions, cell_prefix, register, unicode_safe
from nnlint.formatters.project_urls import help_uri, information_uri, project_urls

if TYPE_CHECKING:
    from nnlint.documented import Documented

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _documented(code: str) -> Optional[Type[Documented]]:
    from nnlint.diagnostics import DIAGNOSTICS
    from nnlint.registry import load_registry

    return load_registry().documented(code) or DIAGNOSTICS.get(code)


def _sections(documentation: str) -> Dict[str, str]:
    sections: Dict[str, str] = {}
    title = None
    for line in documentation.splitlines():
        if line.startswith("## "):
            title = line[3:].strip()
            sections[title] = ""
        elif title is not None:
            sections[title] += line + "\n"
    return {key: value.strip() for key, value in sections.items()}


def rule_descriptor(code: str, finding: Finding) -> Dict[str, Any]:
    cls = _documented(code)
    name = getattr(cls, "name", None) or finding.name
    summary = getattr(cls, "summary", None) or finding.name
    documentation = cls.documentation() if cls is not None else ""
    what = _sections(documentation).get("What it does") or summary
    descriptor: Dict[str, Any] = {
        "id": code,
        "name": name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": what},
        "defaultConfiguration": {"level": _LEVELS.get(getattr(cls, "severity", finding.severity), "warning")},
    }
    if documentation:
        descriptor["help"] = {"text": documentation, "markdown": documentation}
    link = help_uri(cls, code, project_urls())
    if link is not None:
        descriptor["helpUri"] = link
    return descriptor


def _artifact_location(path: str) -> Dict[str, str]:
    if os.path.isabs(path):
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(os.fsencode(Path(path).as_posix())), "uriBaseId": SRCROOT}  # a file name's raw bytes


def _region(line: int, column: int, end_line: Optional[int], end_column: Optional[int]) -> Dict[str, int]:
    region = {"startLine": max(line, 1), "startColumn": max(column, 1)}
    if end_line is not None and end_line >= line:
        region["endLine"] = end_line
        if end_column is not None and (end_line > line or end_column >= column):
            region["endColumn"] = max(end_column, 1)
    return region


def _replacement(edit: Edit) -> Dict[str, Any]:
    # Edit columns are 0-based; SARIF's are 1-based
    return {
        "deletedRegion": _region(edit.line, edit.column + 1, edit.end_line, edit.end_column + 1),
        "insertedContent": {"text": edit.replacement},
    }


def result(finding: Finding, rule_index: int, options: Optional[FormatOptions] = None) -> Dict[str, Any]:
    """One SARIF result. A notebook finding's region is on the file's own (JSON) lines, where code scanning
    shows it; its cell, line and column are in the message and in ``properties`` (and its fix is left out:
    SARIF replacements would have to rewrite JSON string escapes)."""
    entry: Dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": _LEVELS.get(finding.severity, "warning"),
        "message": {"text": cell_prefix(finding) + finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": _artifact_location(finding.path),
                    "region": _region(*(options or FormatOptions()).file_span(finding)),
                }
            }
        ],
    }
    if finding.fix is not None and finding.fix.edits and finding.cell is None:
        entry["fixes"] = [
            {
                "description": {"text": finding.fix.description},
                "artifactChanges": [
                    {
                        "artifactLocation": _artifact_location(finding.path),
                        "replacements": [_replacement(edit) for edit in finding.fix.edits],
                    }
                ],
            }
        ]
    properties: Dict[str, Any] = {"source": finding.source.value}
    if finding.cell is not None:
        properties.update(notebookCell=finding.cell, cellLine=finding.line, cellColumn=finding.column)
    if finding.confirmed is not None:
        properties["confirmed"] = finding.confirmed
    if finding.evidence:
        properties["evidence"] = finding.evidence
    entry["properties"] = properties
    return entry


def sarif_log(findings: Sequence[Finding], options: Optional[FormatOptions] = None) -> Dict[str, Any]:
    rules: List[Dict[str, Any]] = []
    index: Dict[str, int] = {}
    results = []
    for finding in findings:
        if finding.code not in index:
            index[finding.code] = len(rules)
            rules.append(rule_descriptor(finding.code, finding))
        results.append(result(finding, index[finding.code], options))
    driver: Dict[str, Any] = {"name": "nnlint", "version": __version__, "semanticVersion": __version__}
    home = information_uri(project_urls())
    if home is not None:
        driver["informationUri"] = home
    driver["rules"] = rules
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": driver},
                "originalUriBaseIds": {SRCROOT: {"uri": Path.cwd().as_uri().rstrip("/") + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


@register("sarif")
def format_sarif(findings: Sequence[Finding], options: Optional[FormatOptions] = None) -> str:
    return json.dumps(unicode_safe(sarif_log(findings, options)), indent=2, default=str) + "\n"
