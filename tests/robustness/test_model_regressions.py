"""Crashes the real-tree lint found in the semantic model, pinned so they stay fixed."""

from __future__ import annotations

import textwrap

from nnlint.config import Config
from nnlint.engine import Linter


def _crashes(source: str):
    findings = Linter(Config()).lint_source(textwrap.dedent(source), "regression.py")
    return [f.message for f in findings if f.code == "NN002"]


def test_self_referencing_alias_in_a_loop() -> None:
    # pydoc.py: `object = object.__class__`-style rebinding made qualname() recurse forever
    assert (
        _crashes(
            """
        import torch
        node = None
        while node is not None:
            node = node.parent
            node.visit()
            node.parent.visit()
        """
        )
        == []
    )
