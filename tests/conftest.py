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
    """Lint a snippet (dedented) with the given codes selected (all rules by default)."""
    config = Config(select=list(select) if select else ["NN"])
    return Linter(config).lint_source(textwrap.dedent(source), path)


def codes(findings: Sequence[Finding]) -> List[str]:
    return [f.code for f in findings]


@pytest.fixture
def lint():
    return lint_text
