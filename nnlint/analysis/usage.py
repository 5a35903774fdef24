"""Roles proven by usage: what a value is, judged by what the code does with it.

When the source does not show where an object was born (a third-party class, ``importlib``, a
``get_model(name)`` factory, a parameter nobody in the file passes), its uses still tell: a value whose
``.parameters()`` are taken or that is switched with ``.eval()`` is a model; one whose ``.step()`` and
``.zero_grad()`` both run is an optimizer. Uses are followed through the places the value travels to
in this file: ``self.model = model`` (then every ``self.model`` of the class), arguments bound to the
parameters of the file's functions, and closures.

A part of :class:`~nnlint.analysis.model.SemanticModel` (which combines the parts); read through it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, FrozenSet, List, Optional, Set, Tuple, Union

import libcst as cst

from nnlint.analysis.nodetypes import node_types
from nnlint.analysis.symbols import Binding, ClassInfo, Obj, Scope

if TYPE_CHECKING:
    from nnlint.analysis.model import SemanticModel

# A place a value is kept: a name's binding, or an attribute ``self.<name>`` of a class.
Storage = Union[Binding, Tuple[ClassInfo, str]]

_MAX_HOPS = 3
_MODE_METHODS = frozenset({"train", "eval"})
_MODULE_ONLY_METHODS = frozenset({"parameters", "named_parameters", "eval", "modules", "named_modules", "children"})
_MODULE_METHODS = _MODULE_ONLY_METHODS | {
    "state_dict",
    "load_state_dict",
    "train",
    "apply",
    "requires_grad_",
    "forward",
}


class UsageRoles:
    def object_by_usage(self: "SemanticModel", storage: Storage) -> Optional[Obj]:
        """A model or optimizer object proven by how a stored value is used (None when the uses prove nothing)."""
        cache: Dict[object, Optional[Obj]] = self.__dict__.setdefault("_usage_objects", {})
        busy: Set[object] = self.__dict__.setdefault("_usage_busy", set())
        key = id(storage) if isinstance(storage, Binding) else (id(storage[0]), storage[1])
        if key in cache:
            return cache[key]
        if key in busy:
            self._object_cycles += 1  # as in object_of: nothing concluded inside the cycle is cached as final
            return None
        busy.add(key)
        cycles_before = self._object_cycles
        try:
            evidence = self.usage_evidence(storage)
        finally:
            busy.discard(key)
        kind: Optional[str] = None
        if evidence & _MODULE_ONLY_METHODS or (
            "train" in evidence and evidence & ({"called"} | _MODULE_METHODS - {"train"})
        ):
            kind = "model"
        elif {"step", "zero_grad"} <= evidence or "param_groups" in evidence:
            kind = "optimizer"
        found: Optional[Obj] = None
        if kind is not None:
            node, scope = _identity(storage)
            found = Obj(kind, None, node, None, self, scope, by_usage=True)
        if found is not None or self._object_cycles == cycles_before:
            cache[key] = found
        return found

    def usage_evidence(self: "SemanticModel", storage: Storage, hops: int = 0) -> FrozenSet[str]:
        """What the code does with a stored value: the methods called on it (``eval``, ``parameters``,
        ``step``...), ``called`` when it is called, attributes read (``param_groups``)."""
        found: Set[str] = set()
        for use in self.uses_of(storage):
            parent = self.parent.get(use)
            if isinstance(parent, cst.Attribute) and parent.value is use:
                grand = self.parent.get(parent)
                if isinstance(grand, cst.Call) and grand.func is parent:
                    if parent.attr.value not in _MODE_METHODS or _is_mode_switch(grand):
                        found.add(parent.attr.value)
                else:
                    found.add(parent.attr.value)
            elif isinstance(parent, cst.Call) and parent.func is use:
                found.add("called")
            elif hops < _MAX_HOPS:
                for onward in self._onward_storages(use, parent):
                    found |= self.usage_evidence(onward, hops + 1)
        return frozenset(found)

    def mode_toggled(self: "SemanticModel", obj: Obj) -> bool:
        """Whether the code itself switches this model between training and evaluation mode."""
        if obj.node is None:
            return False
        for call in self.calls_named(*_MODE_METHODS):
            if call.receiver is not None and _is_mode_switch(call.node):
                if self.object_of(call.receiver, call.scope).node is obj.node:
                    return True
        return False

    # ---------------------------------------------------------------------------------- uses
    def uses_of(self: "SemanticModel", storage: Storage) -> List[cst.CSTNode]:
        """Where a stored value is read: the names that read a binding, or ``self.<attr>`` in the class's methods."""
        if isinstance(storage, Binding):
            uses: List[cst.CSTNode] = []
            for name in self._names_by_value().get(storage.name, []):
                scope = self.scope_of(name)
                if (
                    name is not _target_of(storage)
                    and self.lookup(storage.name, scope, self.order.get(name)) is storage
                ):
                    uses.append(name)
            return uses
        cls, attr = storage
        return list(self._self_attributes(cls).get(attr, ()))

    def _self_attributes(self: "SemanticModel", cls: ClassInfo) -> Dict[str, List[cst.Attribute]]:
        """``self.<attr>`` nodes in the methods of a class, by attribute name, in method then preorder order
        (one walk of the class's methods, not one per attribute asked about)."""
        table: Dict[int, Tuple[ClassInfo, Dict[str, List[cst.Attribute]]]] = self.__dict__.setdefault(
            "_self_attribute_uses", {}
        )
        known = table.get(id(cls))
        if known is not None:
            return known[1]
        by_attr: Dict[str, List[cst.Attribute]] = {}
        for method in cls.methods.values():
            this = method.instance_param
            if this is None:
                continue
            for node in self.descendants(method.node, cst.Attribute):
                if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == this:
                    by_attr.setdefault(node.attr.value, []).append(node)
        table[id(cls)] = (cls, by_attr)  # the entry holds the class, so its id stays its own
        return by_attr

    def _names_by_value(self: "SemanticModel") -> Dict[str, List[cst.Name]]:
        index = self.__dict__.get("_name_uses")
        if index is None:
            index = self.__dict__["_name_uses"] = {}
            attributes, named, args = (
                node_types(cst.Attribute),
                node_types((cst.Param, cst.FunctionDef, cst.ClassDef, cst.Arg)),
                node_types(cst.Arg),
            )
            for node in self.nodes_of(cst.Name):
                parent = self.parent.get(node)
                kind = type(parent)
                if kind in attributes and parent.attr is node:  # type: ignore[union-attr]
                    continue  # ``x.model``: an attribute name, not a use of ``model``
                if kind in named and getattr(parent, "name", None) is node:
                    continue
                if kind in args and parent.keyword is node:  # type: ignore[union-attr]
                    continue
                if self._is_store_target(node, parent):
                    continue  # `pred = net(x)` rebinds ``pred``: not a read of the value it held before
                index.setdefault(node.value, []).append(node)  # type: ignore[attr-defined]
        return index

    def _is_store_target(self: "SemanticModel", name: cst.CSTNode, parent: Optional[cst.CSTNode]) -> bool:
        """A name that an assignment, ``for``, comprehension, ``as`` or walrus binds (also inside a tuple or
        list target); an augmented assignment's target reads its value first and is not one."""
        child: Optional[cst.CSTNode] = name
        while parent is not None and type(parent) in _TARGET_WRAPPERS:
            child, parent = parent, self.parent.get(parent)
        kind = type(parent)
        if kind in _STORE_FIELDS:
            return getattr(parent, _STORE_FIELDS[kind]) is child
        return False

    def _onward_storages(self: "SemanticModel", use: cst.CSTNode, parent: Optional[cst.CSTNode]) -> List[Storage]:
        """Where a use hands the value on: ``self.attr = value``, ``other = value``, ``f(value)``."""
        if isinstance(parent, cst.Assign) and parent.value is use and len(parent.targets) == 1:
            target = parent.targets[0].target
            scope = self.scope_of(use)
            if isinstance(target, cst.Attribute):
                cls = self._self_class(target.value, scope)
                return [(cls, target.attr.value)] if cls is not None else []
            if isinstance(target, cst.Name):
                binding = self.lookup(target.value, scope, self.order.get(target, 0) + 1)
                return [binding] if binding is not None and binding.node is parent else []
            return []
        if isinstance(parent, cst.Arg) and parent.value is use and not parent.star:
            call = self.parent.get(parent)
            if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Name):
                return []
            func = self.resolve_function(call.func, self.scope_of(call))
            if func is None or func.scope.node not in self.order:
                return []
            param = _parameter_for(func, call, parent)
            bindings = func.scope.bindings.get(param or "", [])
            return [bindings[0]] if bindings and bindings[0].kind == "param" else []
        return []


def _is_mode_switch(call: cst.Call) -> bool:
    """``m.eval()``, ``m.train()``, ``m.train(True/False)``: not ``trainer.train(dataset)``."""
    if not call.args:
        return True
    if len(call.args) == 1 and call.args[0].keyword is None:
        value = call.args[0].value
        return isinstance(value, cst.Name) and value.value in ("True", "False")
    return len(call.args) == 1 and call.args[0].keyword is not None and call.args[0].keyword.value == "mode"


def _identity(storage: Storage) -> Tuple[cst.CSTNode, Optional[Scope]]:
    if isinstance(storage, Binding):
        return storage.node, storage.scope
    cls, attr = storage
    bindings = cls.attributes.get(attr)
    return (bindings[0].node if bindings else cls.node), cls.scope


def _target_of(binding: Binding) -> Optional[cst.CSTNode]:
    node = binding.node
    if isinstance(node, cst.Param):
        return node.name
    return None


def _parameter_for(func, call: cst.Call, arg: cst.Arg) -> Optional[str]:
    if arg.keyword is not None:
        return arg.keyword.value
    position = 0
    for candidate in call.args:
        if candidate is arg:
            break
        if candidate.keyword is None:
            position += 1
    offset = 1 if func.cls is not None and func.params and func.params[0] in ("self", "cls") else 0
    index = position + offset
    return func.params[index] if index < len(func.params) else None


# the nodes a name sits in inside a tuple or list target (`a, (b, *c) = ...`)
_TARGET_WRAPPERS = frozenset({cst.Tuple, cst.List, cst.Element, cst.StarredElement})
# the statement or expression that binds a target, and the field holding it
_STORE_FIELDS = {
    cst.AssignTarget: "target",
    cst.AnnAssign: "target",
    cst.For: "target",
    cst.CompFor: "target",
    cst.AsName: "name",
    cst.NamedExpr: "target",
}
