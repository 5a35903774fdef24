"""NN003 (opt-in: select it by its full code): ``# noqa: CODES`` comments whose nnlint codes suppress nothing.

Only codes that name rules that ran on the file are judged (a code of another tool, of a rule that is
off, or of a runtime probe is not nnlint's to call unused), and a bare ``# noqa`` is left alone (it may
be there for another tool). Comments are found with Python's tokenizer, never inside strings.
"""

from __future__ import annotations

import io
import tokenize
from typing import Callable, Iterable, List, Sequence

from nnlint.finding import Finding, Severity
from nnlint.suppression import ALL, noqa_codes

CODE, NAME = "NN003", "unused-noqa"


def wanted(select: Sequence[str]) -> bool:
    """NN003 is opt-in: only a selection naming it in full turns it on (``--extend-select NN003``)."""
    return CODE in select


def unused_noqa(findings: Sequence[Finding], source: str, path: str, ran: Callable[[str], bool]) -> List[Finding]:
    """One NN003 per ``# noqa: CODES`` comment with codes that ``ran`` (a rule that checked this file
    starts with it) and that no finding on that line (first or last) has."""
    on_line: dict = {}
    for finding in findings:
        for number in {finding.line, finding.end_line or finding.line}:
            on_line.setdefault(number, set()).add(finding.code)
    reports = []
    for line, column, text in _comments(source):
        codes = noqa_codes(text)
        if codes is None or codes is ALL:
            continue
        found = on_line.get(line, set())
        unused = sorted(code for code in codes if ran(code) and not any(f.startswith(code) for f in found))
        if unused:
            message = (
                f"unused `# noqa` code{'s' if len(unused) > 1 else ''} {', '.join(unused)}: nothing of "
                f"{'them' if len(unused) > 1 else 'it'} is reported on this line; remove "
                f"{'them' if len(unused) > 1 else 'it'}"
            )
            reports.append(
                Finding(
                    path,
                    line,
                    column + 1,
                    CODE,
                    NAME,
                    message,
                    end_line=line,
                    end_column=column + 1 + len(text),
                    severity=Severity.INFO,
                )
            )
    return reports


def _comments(source: str) -> Iterable[tuple]:
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                yield token.start[0], token.start[1], token.string
    except (tokenize.TokenError, SyntaxError):
        return
