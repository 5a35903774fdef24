"""The model's fast walk must visit exactly what libcst's own visitor visits, in the same order."""

from __future__ import annotations

import random
import sysconfig
from pathlib import Path
from typing import List, Tuple

import libcst as cst
import pytest

from nnlint.analysis.walk import LAYOUT_TYPES, children, walk

REPO = Path(__file__).resolve().parents[2]


def _sample_files() -> List[Path]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(p for p in stdlib.glob("*.py"))
    random.Random(7).shuffle(files)
    return sorted(REPO.glob("corpus/**/*.py"))[:20] + files[:25]


class _Recorder(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.events: List[Tuple[str, int]] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.events.append(("visit", id(node)))
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.events.append(("leave", id(original_node)))


def _walk_events(module: cst.Module, skip=frozenset()) -> List[Tuple[str, int]]:
    events: List[Tuple[str, int]] = []
    walk(module, lambda n: events.append(("visit", id(n))) or True, lambda n: events.append(("leave", id(n))), skip)
    return events


@pytest.mark.parametrize("path", _sample_files(), ids=lambda p: p.name)
def test_walk_matches_libcst_visit(path: Path) -> None:
    module = cst.parse_module(path.read_bytes())
    recorder = _Recorder()
    module.visit(recorder)
    assert _walk_events(module) == recorder.events


def test_skipping_layout_keeps_the_order_of_everything_else() -> None:
    module = cst.parse_module("x = f(a, b)  # c\nif x:\n    y = [1, 2]\n")
    full = [node for kind, node in _walk_events(module) if kind == "visit"]
    nodes = {}
    walk(module, lambda n: nodes.setdefault(id(n), n) is n, lambda n: None)
    semantic = [i for i in full if type(nodes[i]) not in LAYOUT_TYPES and not _under_layout(nodes[i], module)]
    skipped = [node for kind, node in _walk_events(module, LAYOUT_TYPES) if kind == "visit"]
    assert skipped == semantic
    assert all(type(nodes[i]) not in LAYOUT_TYPES for i in skipped)


def _under_layout(target: cst.CSTNode, module: cst.Module) -> bool:
    def search(node: cst.CSTNode, inside: bool) -> bool:
        if node is target:
            return inside
        return any(search(child, inside or type(node) in LAYOUT_TYPES) for child in children(node))

    return search(module, False)


def test_children_match_libcst_children() -> None:
    module = cst.parse_module("def f(a, *, b: int = 1) -> int:\n    return a if b else -a\n")
    stack = [module]
    while stack:
        node = stack.pop()
        assert children(node) == list(node.children)
        stack.extend(node.children)


def test_deep_nesting_does_not_exhaust_the_stack() -> None:
    module = cst.parse_module("x = " + "(" * 150 + "1" + ")" * 150 + "\n")
    count = [0]
    walk(module, lambda n: count.__setitem__(0, count[0] + 1) or True, lambda n: None)
    assert count[0] > 150
