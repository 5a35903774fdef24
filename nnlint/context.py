"""What a rule sees of one file: its source, its tree, its semantic model, and a way to report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Union

import libcst as cst

from nnlint.finding import Edit, Finding, Fix, Severity, Source
from nnlint.plugin_boundary import severity_of

if TYPE_CHECKING:
    from nnlint.analysis.model import SemanticModel
    from nnlint.rule import Rule


@dataclass
class RuleContext:
    path: str
    source: str
    module: cst.Module
    model: "SemanticModel"
    rule: Optional["Rule"] = None
    findings: List[Finding] = field(default_factory=list)

    def report(
        self,
        node: cst.CSTNode,
        message: str,
        *,
        fix: Optional[Fix] = None,
        evidence: Optional[Dict[str, Any]] = None,
        severity: Optional[Severity] = None,
    ) -> Finding:
        assert self.rule is not None, "report() is called from inside a rule's check()"
        if not isinstance(message, str):
            raise TypeError(f"ctx.report(): the message must be a string, not {type(message).__name__}")
        if not isinstance(node, cst.CSTNode):
            raise TypeError(f"ctx.report(): the node must be a libcst node of this file, not {type(node).__name__}")
        severity = severity_of(severity) if severity is not None else None
        where = self.model.range_of(node)
        finding = Finding(
            path=self.path,
            line=where.start.line,
            column=where.start.column + 1,
            end_line=where.end.line,
            end_column=where.end.column + 1,
            code=self.rule.code,
            name=self.rule.name,
            message=message,
            severity=severity or self.rule.severity,
            source=Source.STATIC,
            evidence=evidence,
            fix=fix,
        )
        self.findings.append(finding)
        return finding

    def line_of(self, node: cst.CSTNode) -> int:
        return self.model.line_of(node)

    # ------------------------------------------------------------------ building fixes (see Rule's docstring)
    def fix(self, description: str, *edits: Edit, safe: bool = True) -> Fix:
        """A fix made of text edits; build the edits with :meth:`replace` / :meth:`insert_before` /
        :meth:`insert_after`.
        ``safe=False`` for a fix that may change what the code does: only ``--unsafe-fixes`` applies it."""
        return Fix(description, tuple(edits), safe)

    def replace(self, node: cst.CSTNode, replacement: Union[cst.CSTNode, str]) -> Edit:
        """Replace a node's source text with a new libcst node (rendered by libcst) or with text."""
        where = self.model.range_of(node)
        text = replacement if isinstance(replacement, str) else self.module.code_for_node(replacement)
        return Edit(where.start.line, where.start.column, where.end.line, where.end.column, text)

    def insert_after(self, node: cst.CSTNode, text: str) -> Edit:
        end = self.model.range_of(node).end
        return Edit(end.line, end.column, end.line, end.column, text)

    def insert_before(self, node: cst.CSTNode, text: str) -> Edit:
        start = self.model.range_of(node).start
        return Edit(start.line, start.column, start.line, start.column, text)
