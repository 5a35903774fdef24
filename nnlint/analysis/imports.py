"""nnlint's own import/alias table: what each imported local name stands for.

libcst's QualifiedNameProvider costs ~5x the parse itself (DESIGN.md); this table is built in the
same single walk that builds the semantic model and answers the same question for imported names.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

import libcst as cst

from nnlint.analysis.nodetypes import node_types


def dotted_name(node: cst.BaseExpression) -> Optional[str]:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts: List[str] = []
    attributes, names = node_types(cst.Attribute), node_types(cst.Name)
    while type(node) in attributes:
        parts.append(node.attr.value)  # type: ignore[attr-defined]
        node = node.value  # type: ignore[attr-defined]
    if type(node) in names:
        parts.append(node.value)  # type: ignore[attr-defined]
        return ".".join(reversed(parts))
    return None


def resolve_relative(module_name: Optional[str], is_package: bool, level: int, target: Optional[str]) -> Optional[str]:
    """Absolute module name of ``from <level dots><target> import ...`` inside ``module_name``."""
    if level == 0:
        return target
    if not module_name:
        return target  # a script run directly: the relative import names a sibling module
    package_parts = module_name.split(".")
    if not is_package:
        package_parts = package_parts[:-1]
    if level - 1 > len(package_parts):
        return None
    base = package_parts[: len(package_parts) - (level - 1)]
    if target:
        base.append(target)
    return ".".join(base) or None


def star_import_module(node: cst.ImportFrom, module_name: Optional[str], is_package: bool) -> Optional[str]:
    """The absolute module a ``from <module> import *`` statement reads (None if not a star import)."""
    if not isinstance(node.names, cst.ImportStar):
        return None
    target = dotted_name(node.module) if node.module is not None else None
    return resolve_relative(module_name, is_package, len(node.relative), target)


def import_bindings(node: cst.CSTNode, module_name: Optional[str], is_package: bool) -> List[Tuple[str, str]]:
    """(local name, qualified name) pairs an Import or ImportFrom statement binds."""
    pairs: List[Tuple[str, str]] = []
    if isinstance(node, cst.Import):
        for alias in node.names:
            full = dotted_name(alias.name)
            if full is None:
                continue
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                pairs.append((alias.asname.name.value, full))
            else:
                root = full.split(".")[0]
                pairs.append((root, root))
    elif isinstance(node, cst.ImportFrom):
        if isinstance(node.names, cst.ImportStar):
            return pairs
        target = dotted_name(node.module) if node.module is not None else None
        base = resolve_relative(module_name, is_package, len(node.relative), target)
        for alias in node.names:
            name = dotted_name(alias.name)
            if name is None:
                continue
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            pairs.append((local, f"{base}.{name}" if base else name))
    return pairs
