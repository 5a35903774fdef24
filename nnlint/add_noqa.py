"""``--add-noqa``: write ``# noqa: CODE`` on the line of every current finding, so that a code base can
adopt nnlint (or a new rule) and fix its findings later.

A directive goes on the finding's first line, or its last where the first cannot take a comment (inside
a multi-line string, or ending in a ``\\`` continuation); codes are merged into an existing
``# noqa: CODES`` and a bare ``# noqa`` is left alone (it already silences everything). Every edited
file is re-parsed before it is written. Notebooks and files that do not parse are left unchanged.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set, Tuple

from nnlint.analysis.source import SourceError, decode_source
from nnlint.autofix import FixError, check_parses, write_fixed
from nnlint.finding import Finding
from nnlint.notebooks import is_notebook_path
from nnlint.suppression import ALL, noqa_codes

_NOQA_CODES = re.compile(r"(#\s*noqa:\s*)(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*)", re.I)
_UNFIT = ("NN000",)  # a file that does not parse cannot take comments safely


@dataclass
class NoqaRun:
    added: int = 0  # directives written or extended
    files: int = 0
    problems: List[str] = field(default_factory=list)  # files left unchanged, and why


def comment_lines(source: str) -> Optional[Set[int]]:
    """The lines a comment can end: those whose end is outside strings and continuations; None if the
    source does not tokenize."""
    lines: Set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in (tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT):
                lines.add(token.start[0])
    except (tokenize.TokenError, SyntaxError):
        return None
    return lines


def add_directives(source: str, findings: Iterable[Finding]) -> Tuple[str, int]:
    """``source`` with a ``# noqa`` for each finding's code; and how many lines changed."""
    fits = comment_lines(source)
    if fits is None:
        return source, 0
    wanted: Dict[int, Set[str]] = defaultdict(set)
    for finding in findings:
        target = next((n for n in (finding.line, finding.end_line or finding.line) if n in fits), None)
        if target is not None:
            wanted[target].add(finding.code)
    lines = source.splitlines(keepends=True)
    changed = 0
    for number, codes in sorted(wanted.items()):
        if not 0 < number <= len(lines):
            continue
        text = lines[number - 1]
        body = text.rstrip("\r\n")
        ending = text[len(body) :]
        present = noqa_codes(body)
        if present is ALL:
            continue
        if present is not None:
            missing = sorted(code for code in codes if not any(code.startswith(c) for c in present))
            if not missing:
                continue
            extra = ", ".join(missing).replace("\\", "\\\\")  # a template: backslashes escaped
            body = _NOQA_CODES.sub(rf"\g<1>\g<codes>, {extra}", body, count=1)
        else:
            body = f"{body.rstrip()}  # noqa: {', '.join(sorted(codes))}"
        lines[number - 1] = body + ending
        changed += 1
    return "".join(lines), changed


def add_noqa(findings: Iterable[Finding]) -> NoqaRun:
    """Write the directives for ``findings`` into their files (Python files only)."""
    run = NoqaRun()
    by_path: Dict[str, List[Finding]] = defaultdict(list)
    for finding in findings:
        by_path[finding.path].append(finding)
    for path, found in sorted(by_path.items()):
        if is_notebook_path(path) or path.startswith("<") or any(f.code in _UNFIT for f in found):
            continue
        try:
            original = Path(path).read_bytes()
            source = decode_source(original)
        except (OSError, SourceError) as error:
            run.problems.append(f"{path}: left unchanged: {error}")
            continue
        edited, changed = add_directives(source, found)
        if not changed:
            continue
        problem = check_parses(edited)
        if problem is not None:
            run.problems.append(f"{path}: left unchanged: the directives would not parse: {problem}")
            continue
        try:
            write_fixed(Path(path), original, edited)
        except (OSError, FixError, UnicodeEncodeError) as error:
            run.problems.append(f"{path}: left unchanged: cannot write: {error}")
            continue
        run.added += changed
        run.files += 1
    return run
