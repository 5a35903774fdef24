"""Following a value back to where it was made: reaching bindings and same-shape/same-value chains.

Shared by rules that reason about what a tensor *is* (its shape, its range of values) rather than
what object an expression holds (:meth:`SemanticModel.object_of`).
"""

from __future__ import annotations

from typing import List, Optional, Tuple

import libcst as cst

from nnlint.analysis.model import Binding, Scope, SemanticModel


def reaching_binding(model: SemanticModel, name: cst.Name, scope: Scope) -> Optional[Binding]:
    """The binding a name use reads; ``img = img.reshape(c, h, w)`` reads the *previous* ``img``."""
    return model.reaching_value(name, scope)


def through_assignments(
    model: SemanticModel, expr: Optional[cst.BaseExpression], scope: Scope, hops: int = 4
) -> Optional[Tuple[Optional[cst.BaseExpression], Scope]]:
    """The expression itself, or what a name holds through at most ``hops`` plain assignments
    (``x = ...`` / ``x: T = ...``, not tuple unpacking); None where a name leads elsewhere or too far."""
    for _ in range(hops):
        if not isinstance(expr, cst.Name):
            return expr, scope
        binding = model.reaching_value(expr, scope)
        if binding is None or binding.kind not in ("assign", "annassign") or binding.index is not None:
            return None
        if binding.value is None:
            return None
        expr, scope = binding.value, binding.scope
    return None


def self_attribute_values(
    model: SemanticModel, expr: cst.Attribute, scope: Scope
) -> List[Tuple[cst.BaseExpression, Scope, SemanticModel]]:
    """Every value assigned to ``self.<attr>`` in the class of the method that reads it."""
    func = scope.function
    if func is None or func.cls is None:
        return []
    if not (isinstance(expr.value, cst.Name) and expr.value.value == func.instance_param):
        return []
    bindings = func.cls.attributes.get(expr.attr.value, [])
    return [(b.value, b.scope, func.cls.owner) for b in bindings if b.value is not None]


def single_return_value(
    model: SemanticModel, call: cst.Call, scope: Scope
) -> Optional[Tuple[cst.BaseExpression, Scope, SemanticModel]]:
    """The returned expression of a user function with exactly one ``return value``."""
    target = model.resolve_function(call.func, scope)
    if target is None:
        return None
    owner = model.owner_of(target)
    returns = [r for r in target.returns if r.value is not None]
    if owner is None or len(returns) != 1:
        return None
    assert returns[0].value is not None
    return returns[0].value, target.scope, owner


NUMPY_GENERATORS = frozenset({"numpy.random.default_rng", "numpy.random.RandomState", "numpy.random.Generator"})


def is_numpy_generator(model: SemanticModel, expr: cst.BaseExpression, scope: Scope) -> bool:
    """``rng`` in ``rng = np.random.default_rng(0)``, or the ``np.random`` module itself."""
    if model.qualname(expr, scope) == "numpy.random":
        return True
    if isinstance(expr, cst.Name):
        binding = reaching_binding(model, expr, scope)
        if binding is not None and binding.index is None and isinstance(binding.value, cst.Call):
            return model.callee_qualname(binding.value, binding.scope) in NUMPY_GENERATORS
    return False
