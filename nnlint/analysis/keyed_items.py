"""The item a literal key selects from a dict built in the code: ``loaders["train"]``.

Real training code keeps its parts in dicts keyed by role::

    data_loader = {"train": DataLoader(train_set, sampler=train_sampler), "dev": DataLoader(dev_set)}
    model = dict(generator=Generator(), discriminator=Discriminator())
    optimizer = {}
    optimizer["generator"] = Adam(model["generator"].parameters())
    trainer = Trainer(data_loader=data_loader, model=model)      # ... self.data_loader = data_loader
    for batch in self.data_loader["train"]: ...

:func:`keyed_item` follows the dict from the subscript back to where it is made, through names, parameters
(every call site must pass the same dict) and ``self.<attr>`` assignments, and gives the expression stored
under the key: a ``{...}`` display's entry, a ``dict(key=...)`` keyword, or an item assignment
``d["key"] = value`` in the scope that made the dict. Anything else (a key that is not a literal string, two
different dicts, a ``**`` entry or a computed key that may be the key) gives None.

Built only on the public API of :class:`~nnlint.analysis.model.SemanticModel`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Optional, Tuple

import libcst as cst

from nnlint.analysis.item_tails import literal_key
from nnlint.analysis.symbols import Scope

if TYPE_CHECKING:
    from nnlint.analysis.model import SemanticModel

Item = Tuple[cst.BaseExpression, Scope, "SemanticModel"]
_ItemWrite = Tuple[int, Optional[str], cst.BaseExpression]  # position, literal key (None: any key), value
_MAX_HOPS = 6


def string_key(subscript: cst.Subscript) -> Optional[str]:
    """``"train"`` of ``x["train"]`` (one literal string index), else None."""
    key = literal_key(subscript)
    return key if isinstance(key, str) else None


def keyed_item(model: "SemanticModel", subscript: cst.Subscript, scope: Scope) -> Optional[Item]:
    """What ``d["key"]`` holds, where ``d`` is a dict made in the code with that key."""
    key = string_key(subscript)
    if key is None:
        return None
    made = _dict_made(model, subscript.value, scope, 0)
    if made is None:
        return None
    return _item_of(made, key)


def _dict_made(
    model: "SemanticModel", expr: cst.BaseExpression, scope: Scope, hops: int
) -> Optional[Tuple[cst.BaseExpression, Scope, "SemanticModel", Optional[str]]]:
    """The dict display or ``dict(...)`` call an expression holds, its scope and model, and the name it was
    bound to there (for the item assignments that fill it)."""
    if hops > _MAX_HOPS:
        return None
    if _is_dict_maker(model, expr, scope):
        return expr, scope, model, None
    if isinstance(expr, cst.Attribute):
        return _self_attribute_dict(model, expr, scope, hops)
    if not isinstance(expr, cst.Name):
        return None
    binding = model.reaching_value(expr, scope)
    if binding is None or binding.index is not None:
        return None
    if binding.kind in ("assign", "annassign") and binding.value is not None:
        if _is_dict_maker(model, binding.value, binding.scope):
            return binding.value, binding.scope, model, expr.value
        return _dict_made(model, binding.value, binding.scope, hops + 1)
    if binding.kind == "param" and binding.scope.function is not None:
        passed = model.passed_arguments(binding.scope.function, binding.name)
        found = [made for arg, arg_scope, owner in passed if (made := _dict_made(owner, arg, arg_scope, hops + 1))]
        if not passed or len(found) != len(passed) or len({id(made[0]) for made in found}) != 1:
            return None
        return found[0]
    return None


def _self_attribute_dict(
    model: "SemanticModel", expr: cst.Attribute, scope: Scope, hops: int
) -> Optional[Tuple[cst.BaseExpression, Scope, "SemanticModel", Optional[str]]]:
    from nnlint.analysis.values import self_attribute_values  # values builds on the whole model

    assigned = self_attribute_values(model, expr, scope)
    if len(assigned) != 1:
        return None
    value, value_scope, owner = assigned[0]
    return _dict_made(owner, value, value_scope, hops + 1)


def _is_dict_maker(model: "SemanticModel", expr: cst.BaseExpression, scope: Scope) -> bool:
    """A ``{...}`` display, or a call of the builtin ``dict`` (not a name the code rebinds)."""
    if isinstance(expr, cst.Dict):
        return True
    return (
        isinstance(expr, cst.Call)
        and isinstance(expr.func, cst.Name)
        and expr.func.value == "dict"
        and model.lookup("dict", scope) is None
    )


def _item_of(made: Tuple[cst.BaseExpression, Scope, "SemanticModel", Optional[str]], key: str) -> Optional[Item]:
    expr, scope, owner, name = made
    found: List[cst.BaseExpression] = []
    if isinstance(expr, cst.Dict):
        for element in expr.elements:
            if not isinstance(element, cst.DictElement):
                return None  # `**other`
            entry = element.key
            if not isinstance(entry, cst.SimpleString):
                return None  # a computed key may be this one
            if entry.evaluated_value == key:
                found.append(element.value)
    elif isinstance(expr, cst.Call):
        for arg in expr.args:
            if arg.star:
                return None
            if arg.keyword is None:
                return None  # dict(pairs) or dict(other)
            if arg.keyword.value == key:
                found.append(arg.value)
    if name is not None:
        assigned = _item_assignments(owner, scope, name, key)
        if assigned is None:
            return None
        found.extend(assigned)
    if len(found) != 1:
        return None
    return found[0], scope, owner


def _item_assignments(owner: "SemanticModel", scope: Scope, name: str, key: str) -> Optional[List[cst.BaseExpression]]:
    """The values of ``name["key"] = value`` in ``scope``; None where an item of ``name`` is written under
    a key that is not a literal (it may be this one)."""
    writes = _item_writes(owner, scope, name)
    if any(written_key is None for _, written_key, _ in writes):
        return None
    return [value for _, written_key, value in writes if written_key == key]


def item_written_before(model: "SemanticModel", subscript: cst.Subscript, scope: Scope) -> Optional[cst.BaseExpression]:
    """``outputs["hm"] = torch.sigmoid(outputs["hm"])`` earlier in the same function, then ``outputs["hm"]``:
    the value of the latest such write before the read (None when there is none, or when an item of the
    name is written under a key that is not a literal)."""
    key = string_key(subscript)
    name = subscript.value
    read = model.order.get(subscript)
    if key is None or not isinstance(name, cst.Name) or read is None:
        return None
    earlier = [write for write in _item_writes(model, scope, name.value) if write[0] < read]
    if any(written_key is None for _, written_key, _ in earlier):
        return None
    values = [value for _, written_key, value in earlier if written_key == key]
    return values[-1] if values else None


def _item_writes(owner: "SemanticModel", scope: Scope, name: str) -> List[_ItemWrite]:
    """Every write of an item of ``name`` in ``scope``, in source order, as (position, key, value): ``key`` is
    None for a write that may be under any key (a key that is not a literal, or ``d[k] += ...``)."""
    from nnlint.analysis.dataflow import mutations  # dataflow builds on the whole model

    found: List[_ItemWrite] = []
    for mutation in mutations(owner, scope):
        if mutation.target.value != name or not mutation.write:
            continue
        if not isinstance(mutation.node, cst.Assign):
            found.append((mutation.order, None, mutation.value))
            continue
        for target in mutation.node.targets:
            written = target.target
            if (
                isinstance(written, cst.Subscript)
                and isinstance(written.value, cst.Name)
                and written.value.value == name
            ):
                found.append((mutation.order, string_key(written), mutation.node.value))
    return found
