"""sklearn scalers, as an expression holds them: ``StandardScaler()``, a name or ``self`` attribute bound to
one, or an element of a list or dict of them.

Built only on the public API of :class:`~nnlint.analysis.model.SemanticModel`.
"""

from __future__ import annotations

from typing import List

import libcst as cst

from nnlint.analysis.dataflow import mutations
from nnlint.analysis.model import Scope, SemanticModel
from nnlint.analysis.values import reaching_binding, self_attribute_values

SCALERS = frozenset(
    "sklearn.preprocessing." + n
    for n in (
        "StandardScaler",
        "MinMaxScaler",
        "RobustScaler",
        "MaxAbsScaler",
        "QuantileTransformer",
        "PowerTransformer",
    )
)


def is_scaler(model: SemanticModel, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> bool:
    """An sklearn scaler: ``StandardScaler()``, a name or ``self`` attribute bound to one, or an element
    of a list or dict of them (``scalers[i]`` with ``scalers = [MinMaxScaler() for _ in cols]``)."""
    if depth > 4:
        return False
    if isinstance(expr, cst.Call):
        return model.callee_qualname(expr, scope) in SCALERS
    if isinstance(expr, cst.Name):
        source = reaching_binding(model, expr, scope)
        if (
            source is None
            or source.index is not None
            or source.value is None
            or source.kind not in ("assign", "annassign")
        ):
            return False
        return is_scaler(model, source.value, source.scope, depth + 1)
    if isinstance(expr, cst.Attribute):
        return any(
            is_scaler(owner, value, where, depth + 1)
            for value, where, owner in self_attribute_values(model, expr, scope)
        )
    if isinstance(expr, cst.Subscript) and isinstance(expr.value, cst.Name):
        return _holds_scalers(model, expr.value, scope, depth + 1)
    return False


def _holds_scalers(model: SemanticModel, container: cst.Name, scope: Scope, depth: int) -> bool:
    source = reaching_binding(model, container, scope)
    if source is None or source.index is not None or source.value is None:
        return False
    value = source.value
    elements: List[cst.BaseExpression] = []
    if isinstance(value, (cst.List, cst.Tuple, cst.Set)):
        elements = [element.value for element in value.elements]
    elif isinstance(value, (cst.ListComp, cst.GeneratorExp, cst.SetComp)):
        elements = [value.elt]
    elif isinstance(value, cst.Dict):
        elements = [element.value for element in value.elements if isinstance(element, cst.DictElement)]
    elif isinstance(value, cst.DictComp):
        elements = [value.value]
    elif isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Multiply):
        elements = [
            side.elements[0].value for side in (value.left, value.right) if isinstance(side, cst.List) and side.elements
        ]
    added = [
        m.value
        for m in mutations(model, source.scope)
        if m.target.value == container.value and reaching_binding(model, m.target, source.scope) is source
    ]
    return any(is_scaler(model, element, source.scope, depth) for element in elements + added)
