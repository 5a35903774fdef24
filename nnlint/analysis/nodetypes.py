"""Type tests on libcst nodes without ``isinstance``'s slow path.

libcst's node classes derive from an ABC, so every ``isinstance(node, cst.Attribute)`` that is false runs
``ABCMeta.__instancecheck__`` (a tenth of the model's own time in the hottest loops). A class and its
subclasses, as a frozen set of exact types, answer the same question with one set lookup:
``type(node) in node_types(cst.Attribute)`` is ``isinstance(node, cst.Attribute)`` for libcst's nodes
(which are never registered as virtual subclasses).
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Tuple, Union

Kinds = Union[type, Tuple[type, ...]]

_TYPES: Dict[Kinds, FrozenSet[type]] = {}


def node_types(kinds: Kinds) -> FrozenSet[type]:
    """Every class ``isinstance(x, kinds)`` accepts (each class given and its subclasses, transitively)."""
    found = _TYPES.get(kinds)
    if found is None:
        pending = list(kinds) if isinstance(kinds, tuple) else [kinds]
        seen = set()
        while pending:
            cls = pending.pop()
            if cls not in seen:
                seen.add(cls)
                pending.extend(cls.__subclasses__())
        found = _TYPES[kinds] = frozenset(seen)
    return found
