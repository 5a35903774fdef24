"""The static pass: discover files, parse each once, build one semantic model, run every rule."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence

from nnlint.analysis.model import SemanticModel
from nnlint.analysis.project import ProjectIndex, module_name_for
from nnlint.analysis.source import SourceError, parse_source, python_syntax_error, read_source
from nnlint.config import Config
from nnlint.context import RuleContext
from nnlint.discovery import discover
from nnlint.finding import Finding, Severity
from nnlint.registry import Registry, load_registry
from nnlint.rule import Rule
from nnlint.suppression import apply_suppressions, skips_file

SYNTAX_ERROR = ("NN000", "syntax-error")
RULE_ERROR = ("NN002", "rule-error")

# A file that names none of these cannot be training code (or import it from a project module).
_TRAINING_HINT = re.compile(r"\b(?:torch|numpy|lightning|pytorch_lightning|timm|keras|tensorflow|sklearn)\b|^\s*(?:from\s+\.|from\s+\w+\s+import|import\s+\w+)", re.M)


def _may_be_training_code(source: str) -> bool:
    return bool(_TRAINING_HINT.search(source))


@dataclass
class Linter:
    """Lints files with a fixed configuration and rule set; one instance serves a whole run."""

    config: Config = field(default_factory=Config)
    registry: Optional[Registry] = None
    project: ProjectIndex = field(default_factory=ProjectIndex)
    rules: List[Rule] = field(init=False)

    def __post_init__(self) -> None:
        if self.registry is None:
            self.registry = load_registry()
        self.rules = [
            cls(self.config.options_for(code, cls.name))
            for code, cls in sorted(self.registry.rules.items())
            if self._enabled_anywhere(code)
        ]

    def _enabled_anywhere(self, code: str) -> bool:
        # per-file ignores are applied per finding; here only the global selection decides
        return self.config.is_enabled(code) or any(code.startswith(p) for p in self.config.extend_select)

    # ------------------------------------------------------------------------------ entry points
    def lint_paths(self, paths: Sequence[str], progress: Optional[Callable[[int, int, str], None]] = None) -> List[Finding]:
        """Lint every file below ``paths``; ``progress(done, total, path)`` is called after each file."""
        findings: List[Finding] = []
        files = list(discover(paths, self.config.is_excluded))
        for done, path in enumerate(files, 1):
            findings.extend(self.lint_file(path))
            if progress is not None:
                progress(done, len(files), path)
        return sorted(findings, key=Finding.sort_key)

    def lint_file(self, path: str) -> List[Finding]:
        try:
            source = read_source(Path(path))
        except SourceError as error:
            return self._filter([_error_finding(path, error, *SYNTAX_ERROR)], path)
        return self.lint_source(source, path)

    def lint_source(self, source: str, path: str = "<stdin>") -> List[Finding]:
        if skips_file(source):
            return []
        if not _may_be_training_code(source):
            return self._filter(_cheap_syntax_check(source, path), path)
        try:
            module = parse_source(source)
        except SourceError as error:
            return self._filter([_error_finding(path, error, *SYNTAX_ERROR)], path)
        name, is_package = module_name_for(Path(path)) if not path.startswith("<") else (None, False)
        model = SemanticModel(module, path, name, is_package, self.project)
        if not path.startswith("<"):
            self.project.add(Path(path), model)
        ctx = RuleContext(path, source, module, model)
        for rule in self.rules:
            if not self.config.is_enabled(rule.code, path):
                continue
            ctx.rule = rule
            try:
                rule.check(ctx)
            except Exception as error:  # a broken rule is reported; the others still run
                ctx.findings.append(_rule_error(path, rule, error))
        findings = apply_suppressions(self._filter(ctx.findings, path), source)
        return sorted(findings, key=Finding.sort_key)

    def _filter(self, findings: Iterable[Finding], path: str) -> List[Finding]:
        return [f for f in findings if self.config.is_enabled(f.code, path)]


def _cheap_syntax_check(source: str, path: str) -> List[Finding]:
    """Files skipped by the training-code filter still get their syntax errors reported."""
    error = python_syntax_error(source)
    return [_error_finding(path, error, *SYNTAX_ERROR)] if error is not None else []


def _error_finding(path: str, error: SourceError, code: str, name: str) -> Finding:
    return Finding(path, error.line, error.column, code, name, error.message, severity=Severity.ERROR)


def _rule_error(path: str, rule: Rule, error: Exception) -> Finding:
    message = f"rule {rule.code} ({rule.name}) failed: {type(error).__name__}: {error}"
    return Finding(path, 1, 1, RULE_ERROR[0], RULE_ERROR[1], message, severity=Severity.ERROR)
