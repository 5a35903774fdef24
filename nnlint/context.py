"""What a rule sees of one file: its source, its tree, its semantic model, and a way to report."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Optional

import libcst as cst

from nnlint.finding import Finding, Fix, Severity, Source

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
