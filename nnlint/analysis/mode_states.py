"""The abstract states of the train/eval mode analysis (:mod:`nnlint.analysis.modes`) and their joins.

A state maps each model (by key) to the modes it may be in at a point of the program; a model absent from it
is of unknown mode. In a function's summary, ``KEEP`` stands for "as the caller had it".
"""

from __future__ import annotations

from typing import Callable, Dict, FrozenSet, Optional, Sequence, Tuple

import libcst as cst

TRAIN = ("train", None)
KEEP = ("keep", None)  # in function summaries: "as the caller had it"
Mode = Tuple[str, Optional[cst.CSTNode]]  # ("train", None) or ("eval", the call that set it)
Modes = FrozenSet[Mode]
State = Dict[object, Modes]  # model key -> modes it may be in; absent = unknown


def copy_state(state: State) -> State:
    return type(state)(state)


def join(a: State, b: State) -> State:
    """Modes after either path; a model known on one path only becomes unknown (dropped)."""
    joined: State = type(a)()
    for key in set(a) | set(b):
        if key in a and key in b:
            modes = a[key] | b[key]
            joined[key] = modes if a[key] and b[key] else frozenset()
    return joined


def join_all(states: Sequence[State]) -> State:
    joined = states[0]
    for other in states[1:]:
        joined = join(joined, other)
    return joined


def twice(body: Callable[[State], State], state: State) -> State:
    """The state after a loop whose body is ``body``: run twice from the join of entry and first pass."""
    head = join(state, body(copy_state(state)))
    return join(head, body(copy_state(head)))


def body_statements(node: cst.CSTNode) -> Sequence[cst.CSTNode]:
    body = getattr(node, "body", None)
    if isinstance(body, (cst.IndentedBlock, cst.SimpleStatementSuite)):
        return body.body
    if isinstance(body, (list, tuple)):
        return body
    return ()


class KeepState(dict):
    """A state where every model not yet touched is 'as the caller had it'."""

    def __missing__(self, key: object) -> Modes:
        return frozenset({KEEP})

    def __contains__(self, key: object) -> bool:
        return True

    def copy(self) -> "KeepState":
        return KeepState(self)
