"""What the rules know of Lightning's API, read from source: Lightning itself is never imported.

nnlint canonicalises ``lightning.pytorch.X`` and ``lightning.X`` to ``pytorch_lightning.X``; the
helpers below also accept the submodule spellings (``pytorch_lightning.trainer.trainer.Trainer``).
"""

from __future__ import annotations

from typing import Iterator, List, Optional

import libcst as cst

from nnlint.api import CallInfo, ClassInfo, FunctionInfo, SemanticModel

_ROOTS = ("pytorch_lightning", "lightning", "lightning_fabric")


def is_lightning(qualname: Optional[str], name: str) -> bool:
    """``qualname`` names Lightning's ``name`` (``Trainer``, ``LightningModule``, ``seed_everything``)."""
    if not qualname:
        return False
    parts = qualname.split(".")
    return parts[0] in _ROOTS and parts[-1] == name


def trainer_calls(model: SemanticModel) -> Iterator[CallInfo]:
    for call in model.calls:
        if is_lightning(model.callee_qualname(call.node, call.scope), "Trainer"):
            yield call


def seed_everything_calls(model: SemanticModel) -> List[CallInfo]:
    """Calls of Lightning's ``seed_everything``: the run is meant to be reproducible. (A bare
    ``torch.manual_seed`` often only makes synthetic data repeatable, so it is no such signal.)"""
    return [
        call for call in model.calls if is_lightning(model.callee_qualname(call.node, call.scope), "seed_everything")
    ]


def is_lightning_module(model: SemanticModel, cls: ClassInfo, depth: int = 0) -> bool:
    """Whether a class derives (directly or through user classes) from ``LightningModule``."""
    if depth > 8:
        return False
    outer = cls.scope.parent or cls.owner.module_scope
    for base in cls.bases:
        if is_lightning(cls.owner.qualname(base, outer), "LightningModule"):
            return True
    return any(is_lightning_module(model, base, depth + 1) for base in cls.owner.base_classes(cls))


def lightning_modules(model: SemanticModel) -> Iterator[ClassInfo]:
    for cls in model.classes:
        if is_lightning_module(model, cls):
            yield cls


def self_name(func: FunctionInfo) -> Optional[str]:
    return func.params[0] if func.cls is not None and func.params else None


def self_attribute(expr: cst.BaseExpression, func: FunctionInfo) -> Optional[str]:
    """``X`` when ``expr`` is ``self.X`` inside a method of ``func``'s class."""
    if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and expr.value.value == self_name(func):
        return expr.attr.value
    return None


def self_root_attribute(expr: cst.BaseExpression, func: FunctionInfo) -> Optional[str]:
    """``X`` for ``self.X``, ``self.X.y.z`` or ``self.X[0].y``: the first attribute after ``self``."""
    current = expr
    while True:
        if isinstance(current, cst.Attribute):
            found = self_attribute(current, func)
            if found is not None:
                return found
            current = current.value
        elif isinstance(current, cst.Subscript):
            current = current.value
        else:
            return None
