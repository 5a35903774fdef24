"""Fields of record classes: a ``@dataclass`` (or attrs class) or a ``typing.NamedTuple`` whose constructor
is generated from its annotated fields, in order. ``Context(model, processor, loader)`` then binds
``context.model`` to the first argument of that call, so a model, loss or loader handed around inside a
record keeps its identity (``model = context.model`` in ``train``, ``context.model`` in ``validate``).

Built only on the public API of :class:`~nnlint.analysis.model.SemanticModel`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Optional

import libcst as cst

from nnlint.analysis.symbols import ClassInfo

if TYPE_CHECKING:
    from nnlint.analysis.model import SemanticModel

_RECORD_DECORATORS = frozenset(
    {
        "dataclasses.dataclass",
        "attr.s",
        "attr.attrs",
        "attr.define",
        "attr.frozen",
        "attr.mutable",
        "attrs.define",
        "attrs.frozen",
        "attrs.mutable",
    }
)
_RECORD_BASES = frozenset({"typing.NamedTuple"})


def record_fields(cls: ClassInfo) -> Optional[List[str]]:
    """The constructor's parameters of a record class, in order (None for any other class, or one that
    writes its own ``__init__``)."""
    owner = cls.owner
    if "__init__" in cls.methods or not _is_record(owner, cls):
        return None
    fields: List[str] = []
    for base in reversed(owner.base_classes(cls)):  # a record's inherited fields come first
        if "__init__" in base.methods:
            return None
        fields.extend(name for name in _own_fields(base) if name not in fields)
    fields.extend(name for name in _own_fields(cls) if name not in fields)
    return fields


def field_argument(model: "SemanticModel", call: cst.Call, cls: ClassInfo, attr: str) -> Optional[cst.BaseExpression]:
    """The argument a record's construction call passes for field ``attr`` (by position or keyword)."""
    fields = record_fields(cls)
    if fields is None or attr not in fields:
        return None
    if any(arg.star for arg in call.args):
        return None  # `Context(*parts)`, `Context(**kwargs)`: the field's argument is out of sight
    return model.argument(call, fields.index(attr), attr)


def _is_record(owner: "SemanticModel", cls: ClassInfo) -> bool:
    outer = cls.scope.parent or owner.module_scope
    for decorator in cls.node.decorators:
        target = decorator.decorator
        if isinstance(target, cst.Call):
            target = target.func
        if owner.qualname(target, outer) in _RECORD_DECORATORS:
            return True
    return any(owner.qualname(base, outer) in _RECORD_BASES for base in cls.bases)


def _own_fields(cls: ClassInfo) -> List[str]:
    names: List[str] = []
    for statement in cls.node.body.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if (
                isinstance(small, cst.AnnAssign)
                and isinstance(small.target, cst.Name)
                and not _is_class_variable(small.annotation.annotation)
            ):
                names.append(small.target.value)
    return names


def _is_class_variable(annotation: cst.BaseExpression) -> bool:
    if isinstance(annotation, cst.Subscript):
        annotation = annotation.value
    name = annotation.attr.value if isinstance(annotation, cst.Attribute) else getattr(annotation, "value", None)
    return name in ("ClassVar", "InitVar")
