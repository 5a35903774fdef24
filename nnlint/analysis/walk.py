"""A read-only walk of a libcst tree, several times cheaper than ``node.visit(visitor)``.

libcst's ``visit`` rebuilds every node it passes through (``_visit_and_replace_children`` calls each
node's constructor and validator), even for a read-only ``CSTVisitor``; on real code that costs
about as much as the parse itself. This walk only reads attributes. It visits the same nodes in the
same order as libcst: the order of each node type's children is read once, lazily, from the field
names that type's own ``_visit_and_replace_children`` passes to libcst's ``visit_*`` helpers. It is
iterative, so deeply nested source cannot exhaust the interpreter's recursion limit.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Dict, FrozenSet, List, Tuple

import libcst as cst

from nnlint.analysis import identity

identity.install()  # C-level identity hash and equality for every node (see nnlint.analysis.identity)

_CHILD_FIELDS: Dict[type, Tuple[str, ...]] = {}
_LEAVE = object()  # stack marker: the entry below it is a node whose subtree is done

# Layout-only nodes: whitespace, comments, punctuation. About 60% of a tree's nodes, and nothing the
# semantic model records points at them, so the model's walk skips them (and their subtrees).
LAYOUT_TYPES: FrozenSet[type] = frozenset(
    {
        cst.SimpleWhitespace,
        cst.ParenthesizedWhitespace,
        cst.TrailingWhitespace,
        cst.EmptyLine,
        cst.Newline,
        cst.Comment,
        cst.Comma,
        cst.Dot,
        cst.Colon,
        cst.Semicolon,
        cst.AssignEqual,
        cst.LeftParen,
        cst.RightParen,
        cst.LeftSquareBracket,
        cst.RightSquareBracket,
        cst.LeftCurlyBrace,
        cst.RightCurlyBrace,
    }
)


class _ValueKinds(Dict[type, int]):
    """type -> what a field value of that type is: a node (1), a sequence of possible nodes (2), else 0.

    ``cst.CSTNode`` is an ABC, and ``isinstance`` against an ABC is several times dearer than a dict
    lookup; the walk checks millions of field values, of a few dozen types.
    """

    def __missing__(self, cls: type) -> int:
        kind = 1 if issubclass(cls, cst.CSTNode) else 2 if issubclass(cls, (tuple, list)) else 0
        self[cls] = kind
        return kind


_KINDS = _ValueKinds()
VALUE_KINDS = _KINDS  # for walks written out elsewhere (the model's builder)
CHILD_FIELDS = _CHILD_FIELDS


def _derive_child_fields(cls: type) -> Tuple[str, ...]:
    """Field names holding children, in the order libcst visits them.

    Each ``_visit_and_replace_children`` calls ``visit_*(self, "<field>", self.<field>, visitor)`` once
    per child field in visiting order, so the field names among its code object's string constants,
    in first-use order, are that order (checked against libcst's own visit by tests/perf/test_walk.py).
    """
    declared = [f.name for f in dataclasses.fields(cls)] if dataclasses.is_dataclass(cls) else []
    code = getattr(getattr(cls, "_visit_and_replace_children", None), "__code__", None)
    if code is None:
        return tuple(declared)
    wanted = set(declared)
    ordered: List[str] = []
    for constant in code.co_consts:
        if isinstance(constant, str) and constant in wanted and constant not in ordered:
            ordered.append(constant)
    return tuple(ordered)


def child_fields(cls: type) -> Tuple[str, ...]:
    fields = _CHILD_FIELDS.get(cls)
    if fields is None:
        fields = _CHILD_FIELDS[cls] = _derive_child_fields(cls)
    return fields


def children(node: cst.CSTNode) -> List[cst.CSTNode]:
    """The node's direct children in source order (what ``node.children`` gives, without rebuilding the node)."""
    found: List[cst.CSTNode] = []
    kinds = _KINDS
    for name in child_fields(type(node)):
        value = getattr(node, name)
        kind = kinds[type(value)]
        if kind == 1:
            found.append(value)
        elif kind == 2:
            found.extend(item for item in value if kinds[type(item)] == 1)
    return found


def walk(
    root: cst.CSTNode,
    on_visit: Callable[[cst.CSTNode], bool],
    on_leave: Callable[[cst.CSTNode], None],
    skip: FrozenSet[type] = frozenset(),
) -> None:
    """Call ``on_visit`` on each node in preorder and ``on_leave`` after its subtree, like a CSTVisitor.

    When ``on_visit`` returns False the node's children are skipped (``on_leave`` is still called).
    Nodes whose exact type is in ``skip`` are not visited at all, nor is anything below them.
    """
    kinds = _KINDS
    fields_of = _CHILD_FIELDS
    # entries: a node to visit, or _LEAVE followed (below it) by the node to leave
    stack: List[object] = [root]
    push = stack.append
    pop = stack.pop
    while stack:
        node = pop()
        if node is _LEAVE:
            on_leave(pop())  # type: ignore[arg-type]
            continue
        if not on_visit(node):  # type: ignore[arg-type]
            on_leave(node)  # type: ignore[arg-type]
            continue
        cls = type(node)
        fields = fields_of.get(cls)
        if fields is None:
            fields = child_fields(cls)
        pending: List[cst.CSTNode] = []
        for name in fields:
            value = getattr(node, name)
            value_type = type(value)
            kind = kinds[value_type]
            if kind == 1:
                if value_type not in skip:
                    pending.append(value)
            elif kind == 2 and value:
                for item in value:
                    item_type = type(item)
                    if kinds[item_type] == 1 and item_type not in skip:
                        pending.append(item)
        if not pending:  # a leaf: leave at once, no stack round trip
            on_leave(node)  # type: ignore[arg-type]
            continue
        push(node)
        push(_LEAVE)
        pending.reverse()
        stack.extend(pending)
