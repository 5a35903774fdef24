"""The static pass reports exactly what every corpus script's `# expect:` header declares."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from nnlint.config import Config
from nnlint.engine import Linter
from tests.corpus_headers import CORPUS, corpus_files, read_expectation

FILES = corpus_files()
_LINTER = Linter(Config())


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(CORPUS)) for p in FILES])
def test_corpus_file(path: Path) -> None:
    expectation = read_expectation(path)
    assert expectation.has_header, f"{path} has no '# expect:' header"
    findings = _LINTER.lint_file(str(path))
    reported = sorted(f.code for f in findings)
    details = "\n".join(f"  {f.line}:{f.column} {f.code} {f.message}" for f in findings)
    assert Counter(reported) == Counter(expectation.static), f"expected {expectation.static}, got {reported}:\n{details}"


def test_corpus_is_not_empty() -> None:
    assert len(FILES) >= 10
