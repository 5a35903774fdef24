"""The static pass reports exactly what every corpus script's `# expect:` header declares: each code, on its line."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from nnlint.config import Config
from nnlint.engine import Linter
from tests.corpus_headers import CORPUS, corpus_files, location, read_expectation

FILES = corpus_files()
_LINTER = Linter(Config())


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(CORPUS)) for p in FILES])
def test_corpus_file(path: Path) -> None:
    expectation = read_expectation(path)
    assert expectation.has_header, f"{path} has no '# expect:' header"
    findings = _LINTER.lint_file(str(path))
    reported = sorted(f.code for f in findings)
    details = "\n".join(f"  {f.line}:{f.column} {f.code} {f.message}" for f in findings)
    assert Counter(reported) == Counter(expectation.static), (
        f"expected {expectation.static}, got {reported}:\n{details}"
    )
    unlocated = [code for code, where in expectation.located if where is None]
    assert not unlocated, f"{path}: the header must name the line of each finding (CODE@LINE): {unlocated}"
    located = sorted((f.code, location(f)) for f in findings)
    expected = sorted((code, where or "") for code, where in expectation.located)
    assert located == expected, f"expected {expected}, got {located}:\n{details}"


def test_header_locations_are_parsed() -> None:
    from tests.corpus_headers import parse_located

    assert parse_located("NN201@41, NN501@7:12 NN101") == [("NN201", "41"), ("NN501", "7:12"), ("NN101", None)]
    assert parse_located("none") == []
    with pytest.raises(ValueError, match="CODE@LINE"):
        parse_located("NN201@line4")


def test_corpus_is_not_empty() -> None:
    assert len(FILES) >= 10
