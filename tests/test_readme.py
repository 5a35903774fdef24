"""The README's rule table lists exactly the codes nnlint ships, with their names."""

from __future__ import annotations

import re
from pathlib import Path

from nnlint.diagnostics import DIAGNOSTICS
from nnlint.registry import load_registry

README = Path(__file__).resolve().parent.parent / "README.md"


def test_rule_table_matches_the_registry() -> None:
    text = README.read_text(encoding="utf-8")
    table = text[text.index("<!-- rules:start -->") : text.index("<!-- rules:end -->")]
    listed = dict(re.findall(r"^\| (NN\d{3}) \| ([a-z0-9-]+) \|", table, re.M))
    registry = load_registry(load_entry_points=False)
    shipped = {code: cls.name for code, cls in {**DIAGNOSTICS, **registry.probes, **registry.rules}.items()}
    assert listed == shipped
