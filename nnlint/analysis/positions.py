"""Source positions of every node, without libcst's MetadataWrapper.

``MetadataWrapper(module).resolve(PositionProvider)`` first runs a batched visitor over the whole tree
(which rebuilds every node, like ``visit``) and then the position-tracking code generation; only the
second produces positions. Running the provider's code generation directly gives the same ranges in
about half the time. It reaches into the provider's internals, so any failure falls back to the
public route.
"""

from __future__ import annotations

import ast
from typing import Callable, Dict, Iterable, Optional, Sequence, Tuple, Type

import libcst as cst
from libcst.metadata import CodePosition, CodeRange, MetadataWrapper, PositionProvider


def node_positions(module: cst.Module) -> Dict[cst.CSTNode, CodeRange]:
    try:
        provider = PositionProvider()
        provider._gen_impl(module)
        computed = provider._computed
        if isinstance(computed, dict) and module in computed:
            return computed
    except Exception:  # a libcst version with other internals
        pass
    # unsafe_skip_copy keeps node identity, so nodes held by the semantic model can be looked up
    return dict(MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider))


_SMALL_STATEMENTS: Tuple[type, ...] = (
    cst.Assign,
    cst.AnnAssign,
    cst.AugAssign,
    cst.Expr,
    cst.Return,
    cst.Raise,
    cst.Assert,
    cst.Del,
    cst.Pass,
    cst.Break,
    cst.Continue,
    cst.Global,
    cst.Nonlocal,
    cst.Import,
    cst.ImportFrom,
)
_AST_SMALL_STATEMENTS: Tuple[Type[ast.stmt], ...] = (
    ast.Assign,
    ast.AnnAssign,
    ast.AugAssign,
    ast.Expr,
    ast.Return,
    ast.Raise,
    ast.Assert,
    ast.Delete,
    ast.Pass,
    ast.Break,
    ast.Continue,
    ast.Global,
    ast.Nonlocal,
    ast.Import,
    ast.ImportFrom,
)


class StatementAnchoredPositions:
    """Positions of nodes without a position pass over the whole file.

    Python's ``ast`` (several times cheaper than libcst's position pass) gives where each small
    statement starts; libcst's positions are then computed for that one statement only and shifted
    there. Each answer is checked against the source text; on any mismatch (or a node outside a
    small statement, e.g. in a ``for`` header or a decorator) the caller falls back to the full pass.
    """

    def __init__(self, source: str, statements: Sequence[cst.CSTNode], loops: Sequence[cst.For] = ()) -> None:
        self._lines = source.splitlines()
        self._anchors: Dict[cst.CSTNode, Tuple[int, int]] = {}
        self._local: Dict[cst.CSTNode, Dict[cst.CSTNode, CodeRange]] = {}
        self._loops: Dict[cst.CSTNode, Tuple[int, int]] = {}
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return
        starts = []
        loop_starts = []
        for node in ast.walk(tree):
            if isinstance(node, _AST_SMALL_STATEMENTS):
                starts.append((node.lineno, node.col_offset))
            elif isinstance(node, (ast.For, ast.AsyncFor)):
                loop_starts.append((node.lineno, node.col_offset))
        starts.sort()
        if len(starts) == len(statements):  # both in source order: small statements never nest
            self._anchors = dict(zip(statements, starts))
        loop_starts.sort()
        if len(loop_starts) == len(loops):  # both in source order (an outer loop starts before the inner)
            self._loops = dict(zip(loops, loop_starts))

    def line_of_loop(self, loop: cst.For) -> Optional[int]:
        """The line a ``for`` statement starts on (its ``for``, or ``async``), from Python's ``ast``; None
        where the anchor does not check out against the text."""
        anchor = self._loops.get(loop)
        if anchor is None:
            return None
        line, byte_column = anchor
        column = self._character_column(line, byte_column)
        if column is None:
            return None
        keyword = "async" if loop.asynchronous is not None else "for"
        return line if self._lines[line - 1][column:].startswith(keyword) else None

    def range_of(
        self, node: cst.CSTNode, statement: Optional[cst.CSTNode], code: Callable[[cst.CSTNode], str]
    ) -> Optional[CodeRange]:
        if statement is None or statement not in self._anchors:
            return None
        line, byte_column = self._anchors[statement]
        local = self._local.get(statement)
        if local is None:
            local = self._local[statement] = node_positions(self._wrap(statement, line))
        relative = local.get(node)
        origin = local.get(statement)
        if relative is None or origin is None:
            return None
        column = self._character_column(line, byte_column)
        if column is None:
            return None
        found = CodeRange(
            self._shift(relative.start, origin.start, line, column),
            self._shift(relative.end, origin.start, line, column),
        )
        text = self._lines[found.start.line - 1] if 0 < found.start.line <= len(self._lines) else ""
        expected = code(node).split("\n", 1)[0][:40]
        return found if text[found.start.column :].startswith(expected) else None

    def _wrap(self, statement: cst.CSTNode, line: int) -> cst.Module:
        """The statement alone, inside a block indented like its line: continuation lines of a bracketed
        expression repeat the block's indentation, so their columns come out as in the file."""
        text = self._lines[line - 1] if 0 < line <= len(self._lines) else ""
        indent = text[: len(text) - len(text.lstrip(" \t"))]
        body = cst.SimpleStatementLine(body=[statement])  # type: ignore[list-item]
        if not indent:
            return cst.Module(body=[body])
        block = cst.If(test=cst.Name("_"), body=cst.IndentedBlock(body=[body], indent=indent))
        return cst.Module(body=[block])

    def _character_column(self, line: int, byte_column: int) -> Optional[int]:
        if not 0 < line <= len(self._lines):
            return None
        return len(self._lines[line - 1].encode("utf-8")[:byte_column].decode("utf-8", errors="replace"))

    @staticmethod
    def _shift(position: CodePosition, origin: CodePosition, line: int, column: int) -> CodePosition:
        if position.line == origin.line:
            return CodePosition(line, column + position.column - origin.column)
        return CodePosition(line + position.line - origin.line, position.column)


def enclosing_small_statement(node: cst.CSTNode, ancestors: Iterable[cst.CSTNode]) -> Optional[cst.CSTNode]:
    if isinstance(node, _SMALL_STATEMENTS):
        return node
    for ancestor in ancestors:
        if isinstance(ancestor, _SMALL_STATEMENTS):
            return ancestor
        if isinstance(ancestor, (cst.BaseCompoundStatement, cst.SimpleStatementLine)):
            return None
    return None


SMALL_STATEMENTS = _SMALL_STATEMENTS
