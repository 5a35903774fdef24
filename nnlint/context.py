"""What a rule sees of one file: its source, its tree, its semantic model, and a way to report."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Optional

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from nnlint.finding import Finding, Fix, Severity, Source

if TYPE_CHECKING:
    from nnlint.analysis.model import SemanticModel
    from nnlint.rule import Rule


class Positions:
    """Source positions of nodes, computed lazily: most files have no finding and never pay for them."""

    def __init__(self, module: cst.Module) -> None:
        self._module = module
        self._ranges: Optional[Any] = None

    def range_of(self, node: cst.CSTNode) -> CodeRange:
        if self._ranges is None:
            # unsafe_skip_copy keeps node identity, so nodes held by the semantic model can be looked up.
            wrapper = MetadataWrapper(self._module, unsafe_skip_copy=True)
            self._ranges = wrapper.resolve(PositionProvider)
        return self._ranges[node]


@dataclass
class RuleContext:
    path: str
    source: str
    module: cst.Module
    model: "SemanticModel"
    positions: Positions
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
        where = self.positions.range_of(node)
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
        return self.positions.range_of(node).start.line
