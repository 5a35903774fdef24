"""Source positions of every node, without libcst's MetadataWrapper.

``MetadataWrapper(module).resolve(PositionProvider)`` first runs a batched visitor over the whole tree
(which rebuilds every node, like ``visit``) and then the position-tracking code generation; only the
second produces positions. Running the provider's code generation directly gives the same ranges in
about half the time. It reaches into the provider's internals, so any failure falls back to the
public route.
"""
from __future__ import annotations

from typing import Dict

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider


def node_positions(module: cst.Module) -> Dict[cst.CSTNode, CodeRange]:
    try:
        provider = PositionProvider()
        provider._gen_impl(module)  # type: ignore[attr-defined]
        computed = provider._computed  # type: ignore[attr-defined]
        if isinstance(computed, dict) and module in computed:
            return computed
    except Exception:  # a libcst version with other internals
        pass
    # unsafe_skip_copy keeps node identity, so nodes held by the semantic model can be looked up
    return dict(MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider))
