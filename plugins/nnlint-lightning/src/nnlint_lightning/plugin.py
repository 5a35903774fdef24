"""The object the ``nnlint`` entry point names: it hands nnlint this package's rules."""

from __future__ import annotations

from typing import List

from nnlint.api import hookimpl

from nnlint_lightning.rules import ALL_RULES


@hookimpl
def nnlint_rules() -> List[type]:
    return list(ALL_RULES)
