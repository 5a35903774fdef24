"""Statement-anchored positions give exactly libcst's full-pass ranges, or defer to the full pass."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest

from nnlint.analysis.model import SemanticModel
from nnlint.analysis.positions import node_positions
from nnlint.analysis.source import parse_source, read_source
from tests.corpus_headers import corpus_files

KINDS = (cst.Call, cst.Assign, cst.AugAssign, cst.Name, cst.Attribute, cst.Subscript, cst.Return, cst.Expr, cst.Integer)

TRICKY = textwrap.dedent(
    """
    import torch
    x = 1; y = torch.softmax(  # two statements on one line, a call spanning lines
        x,
        dim=1,
    )
    def f(a):
        if a:
            s = "héllo wörld"; z = torch.log(a)  # non-ASCII before the second statement
            return [
                torch.sigmoid(v)
                for v in a
            ]
        for i in range(3): total = i + \\
            1
    @torch.no_grad()
    def g(m): return m(torch.zeros(1))
    """
)


def assert_same_ranges(source: str, path: str = "<test>") -> int:
    module = parse_source(source)
    model = SemanticModel(module, path)
    model.source = source
    full = node_positions(module)
    checked = 0
    for kind in KINDS:
        for node in model.nodes_of(kind):
            model._ranges = None  # force the anchored path for every node
            assert model.range_of(node) == full[node], (type(node).__name__, module.code_for_node(node)[:60])
            checked += 1
    return checked


def test_tricky_layouts() -> None:
    assert assert_same_ranges(TRICKY) > 30


@pytest.mark.parametrize("path", corpus_files(notebooks=False)[::7], ids=lambda p: p.name)
def test_corpus_files(path: Path) -> None:
    assert_same_ranges(read_source(path), str(path))
