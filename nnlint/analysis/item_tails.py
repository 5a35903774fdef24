"""Tails of the items of what a forward (or a user function) returns: ``out = head(x)`` then
``out["exist"]``, ``res = model(x)`` then ``res[1]``, where the function returns a tuple or a dict
(a literal, ``dict(k=v)``, or a name filled with ``output["exist"] = ...`` before it is returned);
also where the consumer receives ``out`` as a parameter, in this file or another one.

Built only on the public API of :class:`~nnlint.analysis.model.SemanticModel` (imported by its parts,
so it names the model only for type checking).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, AbstractSet, Dict, Optional, Tuple, Union

import libcst as cst

from nnlint.analysis.symbols import _MAX_DEPTH, UNKNOWN_TAIL, FunctionInfo, Scope, Tail

if TYPE_CHECKING:
    from nnlint.analysis.model import SemanticModel

Key = Union[int, str]  # a tuple position or a dict key


def literal_key(subscript: cst.Subscript) -> Optional[Key]:
    """``x[1]``, ``x[-1]``, ``x["exist"]``: the one constant index of a subscript (None for slices and names)."""
    if len(subscript.slice) != 1 or not isinstance(subscript.slice[0].slice, cst.Index):
        return None
    index = subscript.slice[0].slice.value
    if isinstance(index, cst.SimpleString):
        value = index.evaluated_value
        return value if isinstance(value, str) else None
    negative = isinstance(index, cst.UnaryOperation) and isinstance(index.operator, cst.Minus)
    number = index.expression if negative and isinstance(index, cst.UnaryOperation) else index
    if isinstance(number, cst.Integer):
        return -int(number.value) if negative else int(number.value)
    return None


def item_tail(
    model: "SemanticModel",
    expr: cst.BaseExpression,
    key: Key,
    scope: Scope,
    training: bool,
    depth: int,
    wanted: AbstractSet[str],
) -> Tail:
    """The tail of item ``key`` of the container an expression holds (a call's result, through names and
    the arguments callers pass for a parameter)."""
    if depth > _MAX_DEPTH:
        return UNKNOWN_TAIL
    if isinstance(expr, (cst.Tuple, cst.List, cst.Dict)) or _is_dict_call(model, expr, scope):
        item = container_item(model, expr, key, scope, depth + 1)
        return model.tail_of(item, scope, training, depth + 1, wanted) if item is not None else UNKNOWN_TAIL
    if isinstance(expr, cst.Call):
        return model._element_tail(expr, key, scope, training, depth + 1, wanted)
    if not isinstance(expr, cst.Name):
        return UNKNOWN_TAIL
    binding = model.reaching_value(expr, scope)
    if binding is None:
        return UNKNOWN_TAIL
    if binding.kind in ("assign", "annassign") and binding.index is None and binding.value is not None:
        return item_tail(model, binding.value, key, binding.scope, training, depth + 1, wanted)
    if binding.kind != "param" or binding.scope.function is None:
        return UNKNOWN_TAIL
    tails: Dict[str, Tail] = {}
    for arg, arg_scope, owner in model.passed_arguments(binding.scope.function, binding.name):
        tail = item_tail(owner, arg, key, arg_scope, training, depth + 1, wanted)
        tails.setdefault(tail.kind, tail)
    if len(tails) == 1:
        return next(iter(tails.values()))
    return next((tail for kind, tail in tails.items() if kind in wanted), UNKNOWN_TAIL)


def returned_item(
    model: "SemanticModel", func: FunctionInfo, value: Optional[cst.BaseExpression], key: Key, depth: int = 0
) -> Optional[cst.BaseExpression]:
    """The expression a ``return`` of ``func`` gives for item ``key``: of a tuple or dict literal returned, or
    of the local name returned (``output = {}``; ``output["exist"] = x``; ``return output``)."""
    if value is None or depth > 4:
        return None
    if not isinstance(value, cst.Name):
        return container_item(model, value, key, func.scope, depth + 1)
    binding = model.reaching_value(value, func.scope)
    if binding is None or binding.scope is not func.scope or binding.index is not None:
        return None
    if binding.kind not in ("assign", "annassign") or binding.value is None:
        return None
    if isinstance(key, str):
        stored = _stored_item(model, func, value, key, binding.order)
        update = _last_update(model, func, value, binding.order)
        if update is not None and (stored is None or update[0] > stored[0]):
            return None  # filled by `output.update(...)` last: see updated_source()
        if stored is not None:
            return stored[1]
    return returned_item(model, func, binding.value, key, depth + 1)


def updated_source(
    model: "SemanticModel", func: FunctionInfo, value: Optional[cst.BaseExpression], key: Key
) -> Optional[cst.BaseExpression]:
    """What the local dict a function returns was last filled from by ``output.update(expr)`` (after its
    binding and any ``output[key] = ...``), where that may have given it item ``key``: ``expr`` (a call, whose
    result's item is the returned one, or a dict)."""
    if not isinstance(key, str) or not isinstance(value, cst.Name):
        return None
    binding = model.reaching_value(value, func.scope)
    if binding is None or binding.scope is not func.scope or binding.index is not None:
        return None
    if binding.kind not in ("assign", "annassign") or binding.value is None:
        return None
    update = _last_update(model, func, value, binding.order)
    stored = _stored_item(model, func, value, key, binding.order)
    if update is None or (stored is not None and stored[0] > update[0]):
        return None
    return update[1]


def _last_update(
    model: "SemanticModel", func: FunctionInfo, name: cst.Name, after: int
) -> Optional[Tuple[int, cst.BaseExpression]]:
    """(order, argument) of the last ``name.update(argument)`` of the function after the name's binding and
    before its use."""
    use = model.order.get(name, 0)
    found: Optional[Tuple[int, cst.BaseExpression]] = None
    for call in func.calls:
        node = call.node
        callee = node.func
        if (
            isinstance(callee, cst.Attribute)
            and callee.attr.value == "update"
            and isinstance(callee.value, cst.Name)
            and callee.value.value == name.value
            and len(node.args) == 1
            and node.args[0].keyword is None
            and not node.args[0].star
            and call.scope is func.scope
        ):
            order = model.order.get(node, 0)
            if after < order < use and (found is None or order > found[0]):
                found = (order, node.args[0].value)
    return found


def unpacked_item(value: Optional[cst.BaseExpression], index: Tuple[int, ...]) -> Optional[cst.BaseExpression]:
    """What the target at ``index`` of ``a, (b, c) = x, (y, z)`` is bound to, where the value is made of tuple
    or list displays with no starred items; None otherwise."""
    for position in index:
        if not isinstance(value, (cst.Tuple, cst.List)) or position >= len(value.elements):
            return None
        if any(isinstance(element, cst.StarredElement) for element in value.elements):
            return None
        value = value.elements[position].value
    return value


def container_item(
    model: "SemanticModel", value: cst.BaseExpression, key: Key, scope: Scope, depth: int
) -> Optional[cst.BaseExpression]:
    """Item ``key`` of a tuple/list literal (by position), a dict literal or ``dict(k=v)`` (by key)."""
    if isinstance(key, int) and isinstance(value, (cst.Tuple, cst.List)):
        elements = value.elements
        if any(isinstance(e, cst.StarredElement) for e in elements):
            return None
        position = key + len(elements) if key < 0 else key
        return elements[position].value if 0 <= position < len(elements) else None
    if not isinstance(key, str):
        return None
    if isinstance(value, cst.Dict):
        found: Optional[cst.BaseExpression] = None
        for element in value.elements:
            if not isinstance(element, cst.DictElement):
                return None  # `{**other, ...}`: the key may come from elsewhere
            if isinstance(element.key, cst.SimpleString) and element.key.evaluated_value == key:
                found = element.value
        return found
    if _is_dict_call(model, value, scope) and isinstance(value, cst.Call):
        if any(arg.keyword is None for arg in value.args):
            return None  # `dict(other, k=v)`, `dict(**other)`: the key may come from elsewhere
        return model.argument(value, None, key)
    return None


def _is_dict_call(model: "SemanticModel", expr: cst.BaseExpression, scope: Scope) -> bool:
    return (
        isinstance(expr, cst.Call)
        and isinstance(expr.func, cst.Name)
        and expr.func.value == "dict"
        and model.lookup("dict", scope) is None
    )


def _stored_item(
    model: "SemanticModel", func: FunctionInfo, name: cst.Name, key: str, after: int
) -> Optional[Tuple[int, cst.BaseExpression]]:
    """(order, value) of the last ``name[key] = value`` of the function after the name's binding and before
    its return."""
    use = model.order.get(name, 0)
    found: Optional[Tuple[int, cst.BaseExpression]] = None
    for assign in model.descendants(func.node, cst.Assign):
        order = model.order.get(assign, 0)
        if not isinstance(assign, cst.Assign) or not after < order < use or model.scope_of(assign) is not func.scope:
            continue
        for target in assign.targets:
            subscript = target.target
            if (
                isinstance(subscript, cst.Subscript)
                and isinstance(subscript.value, cst.Name)
                and subscript.value.value == name.value
                and literal_key(subscript) == key
            ):
                found = (order, assign.value)
    return found
