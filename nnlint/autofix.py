"""Applying the fixes rules attach to findings: ``--fix``, ``--diff`` and the editor's quick fixes.

A fix is a set of text edits computed from libcst positions (see ``RuleContext.replace``). Fixes are
applied pass by pass: lint, apply every fix whose edits do not overlap another's, re-parse the result,
lint again, until no finding has a fix left. A result that does not parse (with libcst and with Python's
own compiler) is never returned: the source stays as it was and the failure is reported. A fix that
does not make its finding go away is detected (the passes would not converge) and reported the same way,
so a second ``--fix`` never changes anything.
"""

from __future__ import annotations

import difflib
import io
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, List, Optional, Protocol, Sequence, Tuple

from nnlint.analysis.source import SourceError, decode_source, parse_source, python_syntax_error
from nnlint.finding import Edit, Finding
from nnlint.notebooks.reader import is_notebook_path

if TYPE_CHECKING:
    from nnlint.engine import Linter

MAX_PASSES = 10


class FixError(Exception):
    """A fix that cannot be applied: overlapping edits, positions outside the source, a result that does not parse."""


@dataclass
class FixOutcome:
    path: str
    original: str
    fixed: str
    applied: List[Finding] = field(default_factory=list)  # the findings whose fixes went in
    remaining: List[Finding] = field(default_factory=list)  # the findings of the fixed source
    error: Optional[str] = None  # why the source was left untouched
    diff: Optional[str] = None  # the change as a diff, when a plain diff of the texts would not read well (notebooks)

    @property
    def changed(self) -> bool:
        return self.fixed != self.original


def _line_offsets(source: str) -> List[int]:
    offsets = [0]
    for line in source.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    return offsets


def _offset(offsets: List[int], source: str, line: int, column: int) -> int:
    if not 1 <= line <= len(offsets):
        raise FixError(f"edit position line {line} is outside the source")
    offset = offsets[line - 1] + column
    line_end = offsets[line] if line < len(offsets) else len(source)
    if column < 0 or offset > line_end:
        raise FixError(f"edit position {line}:{column} is outside the source")
    return offset


def apply_edits(source: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping edits (1-based lines, 0-based columns) to a source text."""
    offsets = _line_offsets(source)
    spans: List[Tuple[int, int, str]] = []
    for edit in edits:
        start = _offset(offsets, source, edit.line, edit.column)
        end = _offset(offsets, source, edit.end_line, edit.end_column)
        if end < start:
            raise FixError(f"edit ends before it starts at {edit.line}:{edit.column}")
        spans.append((start, end, edit.replacement))
    spans.sort(key=lambda span: (span[0], span[1]))
    for (_, first_end, _), (second_start, _, _) in zip(spans, spans[1:]):
        if second_start < first_end:
            raise FixError("overlapping edits")
    pieces: List[str] = []
    position = 0
    for start, end, replacement in spans:
        pieces.append(source[position:start])
        pieces.append(replacement)
        position = end
    pieces.append(source[position:])
    return "".join(pieces)


def _span(finding: Finding, offsets: List[int], source: str) -> Tuple[int, int]:
    edits = finding.fix.edits if finding.fix is not None else ()
    starts = [_offset(offsets, source, e.line, e.column) for e in edits]
    ends = [_offset(offsets, source, e.end_line, e.end_column) for e in edits]
    return min(starts), max(ends)


def _compatible_fixes(findings: Sequence[Finding], source: str) -> List[Finding]:
    """Fixable findings whose edits do not touch each other's (the others wait for the next pass)."""
    offsets = _line_offsets(source)
    chosen: List[Finding] = []
    taken: List[Tuple[int, int]] = []
    for finding in findings:
        if finding.fix is None or not finding.fix.edits:
            continue
        try:
            start, end = _span(finding, offsets, source)
        except FixError:
            continue
        if any(start <= other_end and other_start <= end for other_start, other_end in taken):
            continue
        taken.append((start, end))
        chosen.append(finding)
    return chosen


def check_parses(source: str) -> Optional[str]:
    """None when both libcst and Python accept the source, else the reason."""
    try:
        parse_source(source)
    except SourceError as error:
        return f"{error.message} (line {error.line})"
    problem = python_syntax_error(source)
    return None if problem is None else f"{problem.message} (line {problem.line})"


def _describe(findings: Sequence[Finding]) -> str:
    return ", ".join(f"{f.code} at line {f.line}" for f in findings)


def fixable(findings: Iterable[Finding], allowed: Optional[Callable[[Finding], bool]] = None) -> List[Finding]:
    """The findings with a fix to apply (``allowed``: the run's tier and ``fixable``/``unfixable`` choice)."""
    return [f for f in findings if f.fix is not None and f.fix.edits and (allowed is None or allowed(f))]


class FixDocument(Protocol):
    """What the fix passes work on: a Python source, or a notebook's cells (``nnlint.notebooks.fixing``)."""

    @property
    def python(self) -> str:
        """The Python text the rules read; fix edits are positions in it."""

    def lint(self) -> List[Finding]:
        """Findings of :attr:`python`, keeping only the fixes this document can apply."""

    def edited(self, edits: Sequence[Edit]) -> "FixDocument":
        """The document with non-overlapping edits applied (raises FixError)."""


@dataclass
class PythonDocument:
    linter: "Linter"
    path: str
    python: str

    def lint(self) -> List[Finding]:
        return self.linter.lint_python(self.python, self.path)

    def edited(self, edits: Sequence[Edit]) -> "PythonDocument":
        return PythonDocument(self.linter, self.path, apply_edits(self.python, edits))


@dataclass
class PassResult:
    document: FixDocument
    applied: List[Finding] = field(default_factory=list)
    remaining: List[Finding] = field(default_factory=list)
    error: Optional[str] = None


def fix_passes(
    document: FixDocument,
    findings: Optional[List[Finding]] = None,
    allowed: Optional[Callable[[Finding], bool]] = None,
) -> PassResult:
    """Apply every available fix (those ``allowed``), pass by pass; on any failure the original document
    comes back, with the reason."""
    original = document
    result = PassResult(document)
    current_findings = findings if findings is not None else document.lint()
    for _ in range(MAX_PASSES):
        batch = _compatible_fixes(fixable(current_findings, allowed), document.python)
        if not batch:
            result.document, result.remaining = document, current_findings
            return result
        try:
            candidate = document.edited([edit for f in batch for edit in f.fix.edits])  # type: ignore[union-attr]
        except FixError as error:
            return _failed(
                original,
                current_findings if document is original else original.lint(),
                f"fix for {_describe(batch)} cannot be applied: {error}",
            )
        problem = check_parses(candidate.python)
        if problem is not None:
            return _failed(original, original.lint(), f"fix for {_describe(batch)} would not parse: {problem}")
        result.applied.extend(batch)
        document = candidate
        current_findings = document.lint()
    if fixable(current_findings, allowed):
        still = _describe(fixable(current_findings, allowed))
        return _failed(
            original, original.lint(), f"fixes did not converge after {MAX_PASSES} passes ({still} still fixable)"
        )
    result.document, result.remaining = document, current_findings
    return result


def _failed(original: FixDocument, findings: List[Finding], reason: str) -> PassResult:
    return PassResult(original, [], findings, reason)


def fix_source(linter: "Linter", source: str, path: str, findings: Optional[List[Finding]] = None) -> FixOutcome:
    """Apply every available fix to one file's source (a notebook's JSON when ``path`` ends in ``.ipynb``),
    pass by pass, never returning a source that does not parse."""
    if is_notebook_path(path):
        from nnlint.notebooks.fixing import fix_notebook_text

        return fix_notebook_text(linter, source, path)
    result = fix_passes(PythonDocument(linter, path, source), findings, linter.config.may_fix)
    return FixOutcome(path, source, result.document.python, result.applied, result.remaining, result.error)


def unified_diff(original: str, fixed: str, path: str) -> str:
    lines = difflib.unified_diff(
        original.splitlines(keepends=True), fixed.splitlines(keepends=True), fromfile=f"a/{path}", tofile=f"b/{path}"
    )
    text = ""
    for line in lines:
        text += line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
    return text


def encode_like(original: bytes, text: str) -> bytes:
    """Encode fixed source the way the original file was encoded (BOM and PEP 263 declaration honoured)."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(original).readline)
    if encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    return text.encode(encoding)


def write_fixed(path: Path, original: bytes, fixed: str) -> None:
    """Write fixed source back, keeping the file's encoding; only after checking it decodes to the same text."""
    data = encode_like(original, fixed)
    if decode_source(data) != fixed:
        raise FixError(f"{path}: the fixed source would not round-trip through its encoding")
    path.write_bytes(data)


@dataclass
class FixRun:
    """What ``--fix`` / ``--diff`` did over a whole run."""

    findings: List[Finding] = field(default_factory=list)  # what is left after fixing, for the report
    diff: str = ""
    fixed: int = 0  # findings fixed
    applied: List[Finding] = field(default_factory=list)  # their findings, as found before the fix
    changed_files: int = 0
    problems: List[str] = field(default_factory=list)  # files left untouched, and why
    stdin_fixed: Optional[str] = None


def fix_paths(
    linter: "Linter",
    paths: Sequence[str],
    stdin_source: Optional[str] = None,
    stdin_name: str = "<stdin>",
    write: bool = True,
    progress: Optional[Callable[[int, int, str], None]] = None,
) -> FixRun:
    """Fix every file below ``paths`` (and stdin's source); write files back only when ``write``."""
    from nnlint.discovery import discover

    run = FixRun()
    if stdin_source is not None:
        outcome = fix_source(linter, stdin_source, stdin_name)
        _record(run, outcome)
        run.stdin_fixed = outcome.fixed
    files = list(
        discover(
            paths,
            linter.config.is_excluded,
            notebooks=linter.config.notebooks,
            skipped=linter.notes.append,
            force_exclude=linter.config.force_exclude,
            respect_gitignore=linter.config.respect_gitignore,
        )
    )
    for done, path in enumerate(files, 1):
        _fix_file(linter, Path(path), run, write)
        if progress is not None:
            progress(done, len(files), path)
    run.findings.sort(key=Finding.sort_key)
    return run


def _fix_file(linter: "Linter", path: Path, run: FixRun, write: bool) -> None:
    if is_notebook_path(str(path)):
        from nnlint.notebooks.fixing import fix_notebook_file

        _record(
            run,
            fix_notebook_file(linter, path, write)
            or FixOutcome(str(path), "", "", remaining=linter.lint_file(str(path))),
        )
        return
    try:
        original = path.read_bytes()
        source = decode_source(original)
    except (OSError, SourceError):
        run.findings.extend(linter.lint_file(str(path)))  # reports the read error as usual
        return
    outcome = fix_source(linter, source, str(path))
    if outcome.changed and write:
        try:
            write_fixed(path, original, outcome.fixed)
        except (OSError, FixError, UnicodeEncodeError) as error:
            outcome = FixOutcome(
                str(path),
                source,
                source,
                remaining=linter.lint_source(source, str(path)),
                error=f"cannot write: {error}",
            )
    _record(run, outcome)


def _record(run: FixRun, outcome: FixOutcome) -> None:
    run.findings.extend(outcome.remaining)
    if outcome.error is not None:
        run.problems.append(f"{outcome.path}: left unchanged: {outcome.error}")
    if outcome.changed:
        run.applied.extend(outcome.applied)
        run.fixed += len(outcome.applied)
        run.changed_files += 1
        run.diff += (
            outcome.diff if outcome.diff is not None else unified_diff(outcome.original, outcome.fixed, outcome.path)
        )
