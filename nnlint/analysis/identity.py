"""libcst's nodes hashed and compared by identity in C, not in Python.

``CSTNode.__hash__`` is ``return id(self)`` and ``CSTNode.__eq__`` is ``return self is other``: identity,
written in Python, so every lookup in a node-keyed dict or set (the model's ``order``, ``parent`` and
``subtree_end``, read by every rule), and every ``node in a_list``, pays a Python call per node. The
same identity semantics are ``object.__hash__`` and ``object.__eq__``, which run in C: :func:`install`
puts those in their place on every libcst node class, once per process, before the first model is built.

Nothing observable changes but hash values (so the iteration order of a set of nodes, which nothing may
rely on: it depends on memory addresses either way). A node-keyed dict built before :func:`install`
would have to be rebuilt; nnlint installs it where it first imports libcst for analysis
(:mod:`nnlint.analysis.walk`), before it hashes any node.
"""

from __future__ import annotations

from typing import List

_installed = False


def install() -> None:
    """Give libcst's node classes (and those defined later) C-level identity ``__hash__`` and ``__eq__``."""
    global _installed
    if _installed:
        return
    import libcst as cst

    python_hash = cst.CSTNode.__dict__.get("__hash__")
    python_eq = cst.CSTNode.__dict__.get("__eq__")
    pending: List[type] = [cst.CSTNode]
    seen = set()
    while pending:
        cls = pending.pop()
        if cls in seen:
            continue
        seen.add(cls)
        pending.extend(cls.__subclasses__())
        # only the copies of CSTNode's own methods (its __init_subclass__ puts them in each class): a class
        # with its own equality keeps it
        if python_hash is not None and cls.__dict__.get("__hash__") is python_hash:
            cls.__hash__ = object.__hash__  # type: ignore[assignment]
        if python_eq is not None and cls.__dict__.get("__eq__") is python_eq:
            cls.__eq__ = object.__eq__  # type: ignore[assignment]
    _installed = True
