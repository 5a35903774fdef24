"""Structure of the tree: parents, ancestors, enclosing nodes, nodes by type, source positions.

A part of :class:`~nnlint.analysis.model.SemanticModel` (which combines the parts); read through it.
"""

from __future__ import annotations

import os
from bisect import bisect_left, bisect_right

from functools import cached_property
from typing import TYPE_CHECKING, Dict, Iterator, List, Optional, Tuple, Union

import libcst as cst
from libcst.metadata import CodeRange

from nnlint.analysis.nodetypes import node_types
from nnlint.analysis.positions import (
    SMALL_STATEMENTS,
    StatementAnchoredPositions,
    enclosing_small_statement,
    node_positions,
)
from nnlint.analysis.symbols import (
    ClassInfo,
    FunctionInfo,
    Scope,
)

if TYPE_CHECKING:
    from nnlint.analysis.model import SemanticModel


class NodeQueries:
    _ranges: Optional[Dict[cst.CSTNode, CodeRange]]  # set by SemanticModel
    _anchored: Optional[StatementAnchoredPositions]

    def range_of(self: "SemanticModel", node: cst.CSTNode) -> CodeRange:
        """Source range of a node, computed on first use: most files have no finding and never pay for it.

        With the file's text at hand, only the node's own statement gets a position pass (anchored by
        Python's ``ast``); otherwise, or when that answer does not check out, the whole file does.
        """
        if self._ranges is None and self.source is not None:
            statement = enclosing_small_statement(node, self.ancestors(node))
            found = self._statement_anchors(self.source).range_of(node, statement, self.module.code_for_node)
            if found is not None:
                return found
        if self._ranges is None:
            self._ranges = node_positions(self.module)
        return self._ranges[node]

    def _statement_anchors(self: "SemanticModel", source: str) -> StatementAnchoredPositions:
        if self._anchored is None:
            self._anchored = StatementAnchoredPositions(
                source,
                self.nodes_of(SMALL_STATEMENTS),
                self.nodes_of(cst.For),  # type: ignore[arg-type]
            )
        return self._anchored

    def line_of(self: "SemanticModel", node: cst.CSTNode) -> int:
        if type(node) is cst.For and self._ranges is None and self.source is not None:
            # a loop's line (rules quote it): from Python's ast, not a position pass over the whole file
            line = self._statement_anchors(self.source).line_of_loop(node)
            if line is not None:
                return line
        return self.range_of(node).start.line

    def where(self: "SemanticModel", node: cst.CSTNode, relative_to: Optional["SemanticModel"] = None) -> str:
        """``line 12`` for a node of this file, ``models.py:12`` when quoted from another file."""
        line = self.line_of(node)
        if relative_to is None or relative_to is self:
            return f"line {line}"
        return f"{os.path.basename(self.path)}:{line}"

    def ancestors(self: "SemanticModel", node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        current = self.parent.get(node)
        while current is not None:
            yield current
            current = self.parent.get(current)

    def enclosing(
        self: "SemanticModel", node: cst.CSTNode, kinds: Union[type, Tuple[type, ...]]
    ) -> Optional[cst.CSTNode]:
        """The nearest ancestor of one of ``kinds`` (cached: rules ask it of the same nodes again and again)."""
        key = (id(node), kinds)
        entry = self._enclosing_cache.get(key)
        if entry is not None and entry[0] is node:
            return entry[1]
        found = None
        types = node_types(kinds)
        for ancestor in self.ancestors(node):
            if type(ancestor) in types:
                found = ancestor
                break
        self._enclosing_cache[key] = (node, found)
        return found

    def function_of(self: "SemanticModel", node: cst.CSTNode) -> Optional[FunctionInfo]:
        func = self.enclosing(node, cst.FunctionDef)
        return self.function_info.get(func) if func is not None else None

    def scope_of(self: "SemanticModel", node: cst.CSTNode) -> Scope:
        func = self.function_of(node)
        return func.scope if func is not None else self.module_scope

    @cached_property
    def function_info(self: "SemanticModel") -> Dict[cst.CSTNode, FunctionInfo]:
        return {info.node: info for info in self.functions}

    @cached_property
    def class_info(self: "SemanticModel") -> Dict[cst.CSTNode, ClassInfo]:
        return {info.node: info for info in self.classes}

    def nodes_of(self: "SemanticModel", kinds: Union[type, Tuple[type, ...]]) -> List[cst.CSTNode]:
        """Every node of the given exact type(s) in the file, in source order, from the single walk (no re-walk)."""
        if isinstance(kinds, type):
            return self._nodes_by_type.get(kinds, [])
        found = [node for kind in kinds for node in self._nodes_by_type.get(kind, [])]
        return sorted(found, key=self.order.__getitem__) if len(kinds) > 1 else found

    def descendants(
        self: "SemanticModel", node: cst.CSTNode, kinds: Union[type, Tuple[type, ...]]
    ) -> List[cst.CSTNode]:
        """Nodes of the given exact type(s) inside ``node`` (itself included), in source order, by preorder range.

        Layout-only nodes (whitespace, commas...) are not indexed. Costs a bisection, not a walk.
        """
        start = self.order.get(node)
        if start is None:
            return []
        end = self.subtree_end.get(node, start)
        result: List[cst.CSTNode] = []
        for kind in (kinds,) if isinstance(kinds, type) else kinds:
            nodes = self._nodes_by_type.get(kind, [])
            orders = self._orders_of(kind)
            result.extend(nodes[bisect_left(orders, start) : bisect_right(orders, end)])
        if not isinstance(kinds, type) and len(kinds) > 1:
            result.sort(key=self.order.__getitem__)
        return result

    def contains(self: "SemanticModel", node: cst.CSTNode, kinds: Union[type, Tuple[type, ...]]) -> bool:
        return bool(self.descendants(node, kinds))

    def _orders_of(self: "SemanticModel", kind: type) -> List[int]:
        cache = self.__dict__.setdefault("_orders_cache", {})
        orders = cache.get(kind)
        if orders is None:
            orders = cache[kind] = [self.order[n] for n in self._nodes_by_type.get(kind, [])]
        return orders
