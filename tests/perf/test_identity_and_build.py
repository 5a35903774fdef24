"""What the speed work on the model's first costs must keep exactly: libcst nodes are still equal and hashed
by identity (now in C, :mod:`nnlint.analysis.identity`), the model's inlined walk fills the same tables as
the generic walk with the builder's callbacks, and a batched run leaves the collector as it found it."""

from __future__ import annotations

import gc
import random
import sysconfig
from pathlib import Path
from typing import List

import libcst as cst
import pytest

from nnlint.analysis.builder import ENTER_CALLBACKS, LEAVE_CALLBACKS, ModelBuilder
from nnlint.analysis.model import SemanticModel
from nnlint.analysis.walk import LAYOUT_TYPES, walk
from nnlint.run_loop import collections_batched

REPO = Path(__file__).resolve().parents[2]


def _sample_files() -> List[Path]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(stdlib.glob("*.py"))
    random.Random(11).shuffle(files)
    return sorted(REPO.glob("corpus/**/*.py"))[:25] + files[:15]


def test_nodes_hash_and_compare_by_identity_in_c() -> None:
    first, second = cst.Name("x"), cst.Name("x")
    assert type(first).__hash__ is object.__hash__ and type(first).__eq__ is object.__eq__
    assert cst.CSTNode.__hash__ is object.__hash__
    assert first == first and first != second and not (first == second)  # identity, never the value
    assert first.deep_equals(second)
    table = {first: 1, second: 2}
    assert table[first] == 1 and table[second] == 2 and len({first, second, first}) == 2
    assert first not in [second] and first in [second, first]
    assert first != "x" and first != None  # noqa: E711  (no value equality with anything else either)


def test_a_node_class_defined_later_is_identity_hashed_too() -> None:
    class Marker(cst.Name):  # libcst's __init_subclass__ copies CSTNode's methods into each new class
        pass

    node = Marker("y")
    assert type(node).__hash__ is object.__hash__ and {node: 1}[node] == 1


@pytest.mark.parametrize("path", _sample_files(), ids=lambda p: p.name)
def test_the_inlined_walk_fills_the_same_tables_as_the_callbacks(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = cst.parse_module(path.read_text(encoding="utf-8"))
    fast = SemanticModel(module, str(path))

    def callbacks(self: ModelBuilder, root: cst.CSTNode, skip: frozenset = LAYOUT_TYPES) -> None:
        """The same tables filled one node at a time through the generic walk's callbacks."""
        open_nodes: List[cst.CSTNode] = []

        def on_visit(node: cst.CSTNode) -> bool:
            self.counter += 1
            self.m.order[node] = self.counter
            if open_nodes:
                self.m.parent[node] = open_nodes[-1]
            open_nodes.append(node)
            self.m._nodes_by_type.setdefault(type(node), []).append(node)
            handler = ENTER_CALLBACKS.get(type(node))
            if handler is not None:
                handler(self, node)
            return True

        def on_leave(node: cst.CSTNode) -> None:
            leaver = LEAVE_CALLBACKS.get(type(node))
            if leaver is not None:
                leaver(self, node)
            self.m.subtree_end[node] = self.counter
            open_nodes.pop()

        walk(root, on_visit, on_leave, skip)

    monkeypatch.setattr(ModelBuilder, "build", callbacks)
    slow = SemanticModel(module, str(path))
    assert list(fast.order.items()) == list(slow.order.items())  # same nodes, same preorder numbers
    assert fast.parent == slow.parent and fast.subtree_end == slow.subtree_end
    assert fast._nodes_by_type == slow._nodes_by_type
    assert [(c.node, c.order, [loop.node for loop in c.loops], c.withs) for c in fast.calls] == [
        (c.node, c.order, [loop.node for loop in c.loops], c.withs) for c in slow.calls
    ]
    assert [(f.name, f.node, len(f.calls), f.returns) for f in fast.functions] == [
        (f.name, f.node, len(f.calls), f.returns) for f in slow.functions
    ]
    assert [(loop.node, loop.order, loop.parent is None) for loop in fast.loops] == [
        (loop.node, loop.order, loop.parent is None) for loop in slow.loops
    ]
    fast_bindings = [(n, b.kind, b.order) for n, bs in fast.module_scope.bindings.items() for b in bs]
    slow_bindings = [(n, b.kind, b.order) for n, bs in slow.module_scope.bindings.items() for b in bs]
    assert fast_bindings == slow_bindings


def test_a_batched_run_hands_what_it_kept_to_the_oldest_generation() -> None:
    assert gc.isenabled()
    with collections_batched():
        assert not gc.isenabled()
        kept = [[index] for index in range(20_000)]  # what a run's project index keeps
    assert gc.isenabled() and gc.get_freeze_count() == 0
    # not left in the youngest generation, whose first collection would traverse all of it
    oldest = {id(item) for item in gc.get_objects(generation=2)}
    assert id(kept) in oldest and id(kept[-1]) in oldest


def test_objects_the_process_froze_stay_frozen() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        with collections_batched():
            [[index] for index in range(1000)]
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
