from __future__ import annotations

import textwrap
from pathlib import Path
from typing import List, Optional, Sequence

import pytest

from nnlint.config import Config
from nnlint.engine import Linter
from nnlint.finding import Finding

REPO = Path(__file__).resolve().parent.parent


def lint_text(source: str, select: Optional[Sequence[str]] = None, path: str = "<snippet>") -> List[Finding]:
    """Lint a snippet (dedented) with the given codes selected (all rules by default).

    A rule that crashes (NN002) fails the calling test whatever is selected: otherwise every "stays
    silent" test would pass on a rule that raises."""
    wanted = list(select) if select else ["NN"]
    findings = Linter(Config(select=[*wanted, "NN002"])).lint_source(textwrap.dedent(source), path)
    crashes = [f for f in findings if f.code == "NN002"]
    assert not crashes, "a rule crashed on the snippet:\n" + "\n".join(
        f"  {f.line}:{f.column} {f.message}" for f in crashes
    )
    return findings


def codes(findings: Sequence[Finding]) -> List[str]:
    return [f.code for f in findings]


@pytest.fixture
def lint():
    return lint_text
