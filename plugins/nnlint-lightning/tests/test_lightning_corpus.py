"""The plugin's corpus: each script's `# expect:` header is exactly what the Lightning rules report."""

from __future__ import annotations

from pathlib import Path

from nnlint.testing import check_corpus
from nnlint_lightning.rules import ALL_RULES

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def test_corpus_matches_headers() -> None:
    mismatches = check_corpus(ALL_RULES, CORPUS)
    assert not mismatches, "\n".join(str(m) for m in mismatches)


def test_every_rule_has_a_bad_and_a_clean_script() -> None:
    names = [p.name for p in CORPUS.glob("*.py")]
    for rule in ALL_RULES:
        prefix = rule.code.lower()
        assert any(n.startswith(prefix) and "_bad" in n for n in names), f"{rule.code} has no buggy corpus script"
        assert any(n.startswith(prefix) and "_ok" in n for n in names), f"{rule.code} has no clean twin"
