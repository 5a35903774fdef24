"""Module contents: the layers a model holds, and whether its output depends on train/eval mode.

A part of :class:`~nnlint.analysis.model.SemanticModel` (which combines the parts); read through it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Iterator, List, Optional, Tuple, cast

import libcst as cst

from nnlint.analysis import torch_api as api
from nnlint.analysis.symbols import Binding, ClassInfo, Obj, Scope

if TYPE_CHECKING:
    from nnlint.analysis.model import SemanticModel


# A submodule of a container, where it is written: (expression, its scope, the file's model).
Element = Tuple[cst.BaseExpression, Scope, "SemanticModel"]
# Methods that add a submodule to a container module, and the argument holding it.
_ADDING_METHODS: Dict[str, Tuple[int, str]] = {
    "add_module": (1, "module"),
    "register_module": (1, "module"),
    "append": (0, "module"),
    "extend": (0, "modules"),
}
_LIST_ADDING_METHODS = ("append", "extend")


class ModuleContents:
    def module_elements(self: "SemanticModel", obj: Obj) -> List[Element]:
        """The submodules of an ``nn.Sequential``/``nn.ModuleList``/``nn.ModuleDict`` object, in order.

        Those given to the constructor (also as ``*layers`` of a list built with ``append``, an
        ``OrderedDict`` or a dict), then those added later with ``add_module``/``append``/``extend``
        (``seq.add_module("softmax", nn.Softmax())``, ``self.blocks.append(block)``).
        """
        owner = obj.owner or self
        if obj.qualname not in api.CONTAINER_CLASSES or not isinstance(obj.node, cst.Call) or obj.scope is None:
            return []
        found: List[Element] = []
        for arg in obj.node.args:
            if arg.keyword is not None and arg.keyword.value not in ("modules", "args"):
                continue
            children_of = _children_receiver(owner, arg.value, obj.scope) if arg.star == "*" else None
            if children_of is not None:
                # `nn.Sequential(*list(resnet.children())[:-1])`: the network's own layers, but the last
                found.append((children_of[0], children_of[1], owner))
            elif arg.star == "*" or obj.qualname != api.NN + "Sequential":
                found.extend(owner.collection_items(arg.value, obj.scope))
            elif not arg.star:
                if (
                    isinstance(arg.value, cst.Call)
                    and owner.callee_qualname(arg.value, obj.scope) == "collections.OrderedDict"
                ):
                    found.extend((value, obj.scope, owner) for value in ordered_dict_values(arg.value))
                else:
                    found.append((arg.value, obj.scope, owner))
        found.extend(owner._container_additions().get(obj.node, []))
        return found

    def _container_additions(self: "SemanticModel") -> Dict[cst.CSTNode, List[Element]]:
        """Submodules added to containers of this file after construction, keyed by the constructing call."""
        table = self.__dict__.get("_additions_table")
        if table is not None:
            return table
        table = self.__dict__["_additions_table"] = {}
        for call in self.calls_named(*_ADDING_METHODS):
            receiver = call.receiver
            if receiver is None:
                continue
            container = self.object_of(receiver, call.scope)
            if container.qualname not in api.CONTAINER_CLASSES or container.node is None:
                continue
            position, keyword = _ADDING_METHODS[call.method_name or ""]
            added = self.argument(call.node, position, keyword)
            if added is None:
                continue
            items = (
                self.collection_items(added, call.scope)
                if call.method_name == "extend"
                else [(added, call.scope, self)]
            )
            table.setdefault(container.node, []).extend(items)
        return table

    def collection_items(
        self: "SemanticModel", expr: Optional[cst.BaseExpression], scope: Scope, depth: int = 0
    ) -> List[Element]:
        """The elements of a list, tuple or dict a program builds, in order.

        A literal (``[a, b]``, ``{"k": v}``: its values), a comprehension (its element, once), or a name
        bound to one of those and then grown in the same scope with ``.append(x)``/``.extend(xs)``/``+=``.
        Anything else is a single opaque element (so callers see that something is there).
        """
        if expr is None or depth > 6:
            return []
        if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
            found: List[Element] = []
            for element in expr.elements:
                if isinstance(element, cst.StarredElement):
                    found.extend(self.collection_items(element.value, scope, depth + 1))
                else:
                    found.append((element.value, scope, self))
            return found
        if isinstance(expr, cst.Dict):
            return [(element.value, scope, self) for element in expr.elements if isinstance(element, cst.DictElement)]
        if _is_dict_call(expr, self, scope):  # `dict(wte=nn.Embedding(...), drop=nn.Dropout(p))`
            items: List[Element] = []
            for arg in cast(cst.Call, expr).args:
                if arg.keyword is not None:
                    items.append((arg.value, scope, self))
                elif not arg.star:
                    items.extend(self.collection_items(arg.value, scope, depth + 1))
                else:
                    items.append((arg.value, scope, self))  # `**extra`: something is there, unseen
            return items
        if isinstance(expr, (cst.ListComp, cst.GeneratorExp, cst.SetComp)):
            return [(expr.elt, scope, self)]
        if isinstance(expr, cst.DictComp):
            return [(expr.value, scope, self)]
        if isinstance(expr, cst.Name):
            binding = self.reaching_value(expr, scope)
            while binding is not None and binding.kind == "augassign":  # `layers += [...]`: from where it began
                binding = _previous_binding(binding)
            if (
                binding is not None
                and binding.kind in ("assign", "annassign")
                and binding.index is None
                and _is_collection(binding.value, self, binding.scope)
            ):
                found = self.collection_items(binding.value, binding.scope, depth + 1)
                return found + self._grown_by(binding, self.order.get(expr, 0), depth)
        return [(expr, scope, self)]

    def _grown_by(self: "SemanticModel", binding: Binding, before: int, depth: int) -> List[Element]:
        """What ``name.append(x)`` / ``name.extend(xs)`` / ``name += [...]`` add to a list between its binding and a
        use."""
        found: List[Tuple[int, List[Element]]] = []
        for call in self.calls_named(*_LIST_ADDING_METHODS):
            receiver = call.receiver
            if not isinstance(receiver, cst.Name) or receiver.value != binding.name or call.scope is not binding.scope:
                continue
            if not binding.order < call.order < before:
                continue
            reached = self.reaching_value(receiver, call.scope)
            while reached is not None and reached.kind == "augassign":
                reached = _previous_binding(reached)
            if reached is not binding:
                continue
            argument = self.argument(call.node, 0, None)
            if argument is None:
                continue
            items = (
                self.collection_items(argument, call.scope, depth + 1)
                if call.method_name == "extend"
                else [(argument, call.scope, self)]
            )
            found.append((call.order, items))
        for later in binding.scope.bindings.get(binding.name, []):
            if later.kind == "augassign" and binding.order < later.order < before and later.value is not None:
                found.append((later.order, self.collection_items(later.value, later.scope, depth + 1)))
        return [item for _, items in sorted(found, key=lambda pair: pair[0]) for item in items]

    def layers_of(self: "SemanticModel", obj: Obj, depth: int = 0) -> List[Obj]:
        """Every layer object a model object contains (recursively through user classes and containers)."""
        if depth > 6:
            return []
        owner = obj.owner or self
        found: List[Obj] = []
        if obj.cls is not None:
            for candidate in [obj.cls, *owner.base_classes(obj.cls)]:
                for bindings in candidate.attributes.values():
                    for binding in bindings:
                        found.extend(candidate.owner._layers_in_expr(binding.value, binding.scope, depth))
                for module, scope in _registered_submodules(candidate):
                    found.extend(candidate.owner._layers_in_expr(module, scope, depth))
            forward = owner.method_of(obj.cls, "forward")
            if forward is not None:
                fowner = forward.cls.owner if forward.cls else owner
                for call in forward.calls:
                    qualname = fowner.callee_qualname(call.node, call.scope)
                    if qualname and qualname.startswith("torch.nn.functional.") and "dropout" in qualname:
                        found.append(Obj("layer", qualname, call.node, None, fowner, call.scope))
        elif obj.qualname in api.CONTAINER_CLASSES:
            for element, scope, element_owner in owner.module_elements(obj):
                found.extend(element_owner._layers_in_expr(element, scope, depth))
        elif obj.kind == "layer":
            found.append(obj)
        return found

    def _layers_in_expr(
        self: "SemanticModel", expr: Optional[cst.BaseExpression], scope: Scope, depth: int
    ) -> List[Obj]:
        if expr is None:
            return []
        found: List[Obj] = []
        if isinstance(expr, (cst.List, cst.Tuple)):
            for element in expr.elements:
                found.extend(self._layers_in_expr(element.value, scope, depth))
            return found
        if isinstance(expr, cst.ListComp):
            return self._layers_in_expr(expr.elt, scope, depth)
        if isinstance(expr, cst.Call):
            qualname = self.callee_qualname(expr, scope)
            if qualname == "collections.OrderedDict":
                for value in ordered_dict_values(expr):
                    found.extend(self._layers_in_expr(value, scope, depth))
                return found
        obj = self.object_of(expr, scope)
        if obj.kind == "layer":
            return [obj]
        if obj.kind == "model":
            if obj.cls is None and obj.qualname is not None and obj.qualname not in api.CONTAINER_CLASSES:
                return [obj]
            return self.layers_of(obj, depth + 1)
        return found

    def has_mode_dependent_layers(self: "SemanticModel", obj: Obj) -> Optional[bool]:
        """True when a model has Dropout/BatchNorm (train/eval mode changes its output), None if unknown."""
        if obj.kind != "model":
            return None
        if obj.by_usage:  # out of sight: the code's own train()/eval() calls show that its mode matters
            return True if self.mode_toggled(obj) else None
        if obj.cls is None and obj.qualname is not None and obj.qualname not in api.CONTAINER_CLASSES:
            if api.transformers_model_class(obj.qualname) is not None:
                # its dropout rate is in a configuration out of sight: the code's own toggles decide
                return True if self.mode_toggled(obj) else None
            return True if api.is_mode_dependent_architecture(obj.qualname) else None
        layers = self.layers_of(obj)
        for layer in layers:
            if layer.qualname in api.DROPOUT_CLASSES or layer.qualname in api.BATCHNORM_CLASSES:
                return True
            if layer.qualname and "dropout" in layer.qualname and "functional" in layer.qualname:
                return True
            if layer.kind == "model" and layer.qualname and api.is_mode_dependent_architecture(layer.qualname):
                return True
        if obj.cls is not None and self._has_unseen_submodules(obj.cls):
            # `self.head = head` from the caller: its layers are out of sight, the code's own toggles decide
            return True if self.mode_toggled(obj) else None
        return False

    def _has_unseen_submodules(self: "SemanticModel", cls: ClassInfo) -> bool:
        """A submodule the class receives from its constructor's caller: ``self.encoders =
        nn.ModuleList(encoders)``, or ``self.head = head`` where the class calls ``self.head(...)``."""
        for candidate in [cls, *(cls.owner or self).base_classes(cls)]:
            owner = candidate.owner
            for attr, bindings in candidate.attributes.items():
                for binding in bindings:
                    value = binding.value
                    if isinstance(value, cst.Call):
                        if owner.callee_qualname(value, binding.scope) in _MODULE_CONTAINERS and any(
                            _is_parameter(owner, arg.value, binding.scope) for arg in value.args
                        ):
                            return True
                    elif _is_parameter(owner, value, binding.scope) and _calls_attribute(candidate, attr):
                        return True
        return False


_MODULE_CONTAINERS = frozenset({"torch.nn.ModuleList", "torch.nn.ModuleDict", "torch.nn.Sequential"})


def _is_parameter(model: "SemanticModel", expr: Optional[cst.BaseExpression], scope: Scope) -> bool:
    """The expression is a parameter of the function it is written in (``encoders`` of ``__init__``)."""
    if not isinstance(expr, cst.Name):
        return False
    binding = model.lookup(expr.value, scope, model.order.get(expr))
    return binding is not None and binding.kind == "param" and binding.scope is scope


def _calls_attribute(cls: ClassInfo, attr: str) -> bool:
    """Some method of the class calls ``self.<attr>(...)``: the attribute holds a module (or a function)."""
    for method in cls.methods.values():
        for call in method.calls:
            func = call.node.func
            if (
                isinstance(func, cst.Attribute)
                and func.attr.value == attr
                and isinstance(func.value, cst.Name)
                and func.value.value in ("self", *method.params[:1])
            ):
                return True
    return False


def _previous_binding(binding: Binding) -> Optional[Binding]:
    earlier = [b for b in binding.scope.bindings.get(binding.name, []) if b.order < binding.order]
    return earlier[-1] if earlier else None


def _is_dict_call(expr: Optional[cst.BaseExpression], model: "SemanticModel", scope: Scope) -> bool:
    """A call of the builtin ``dict`` (not shadowed by an import or a definition of this file)."""
    return (
        isinstance(expr, cst.Call)
        and isinstance(expr.func, cst.Name)
        and expr.func.value == "dict"
        and model.qualname(expr.func, scope) in ("builtins.dict", None)
        and model.reaching_value(expr.func, scope) is None
    )


def _is_collection(expr: Optional[cst.BaseExpression], model: "SemanticModel", scope: Scope) -> bool:
    if isinstance(expr, (cst.List, cst.Tuple, cst.Dict, cst.ListComp)):
        return True
    return (
        isinstance(expr, cst.Call)
        and not expr.args
        and model.qualname(expr.func, scope) in ("builtins.list", None)
        and (isinstance(expr.func, cst.Name) and expr.func.value in ("list", "dict"))
    )


def ordered_dict_values(call: cst.Call) -> List[cst.BaseExpression]:
    values: List[cst.BaseExpression] = []
    if call.args and isinstance(call.args[0].value, (cst.List, cst.Tuple)):
        for element in call.args[0].value.elements:
            if isinstance(element.value, cst.Tuple) and len(element.value.elements) == 2:
                values.append(element.value.elements[1].value)
    return values


def _registered_submodules(cls: ClassInfo) -> Iterator[Tuple[cst.BaseExpression, Scope]]:
    """Modules a class's methods register on the instance by name: ``self.add_module(f"stage{i}", RSU(...))``,
    ``self.register_module(name, m)``, ``setattr(self, name, nn.Linear(...))``."""
    for method in cls.methods.values():
        this = method.instance_param
        if this is None:
            continue
        for call in method.calls:
            func, args = call.node.func, call.node.args
            if (
                isinstance(func, cst.Attribute)
                and func.attr.value in ("add_module", "register_module")
                and isinstance(func.value, cst.Name)
                and func.value.value == this
                and len(args) >= 2
            ):
                yield args[1].value, call.scope
            elif (
                isinstance(func, cst.Name)
                and func.value == "setattr"
                and len(args) == 3
                and isinstance(args[0].value, cst.Name)
                and args[0].value.value == this
            ):
                yield args[2].value, call.scope


def _children_receiver(
    model: "SemanticModel", expr: cst.BaseExpression, scope: Scope, depth: int = 0
) -> Optional[Tuple[cst.BaseExpression, Scope]]:
    """``net`` of ``list(net.children())[:-1]``, ``net.children()`` or ``list(net.modules())``, also through a
    name bound to one of them: the module whose child layers a container is rebuilt from."""
    while depth < 4:
        if isinstance(expr, cst.Subscript):
            expr = expr.value
        elif isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value == "list" and expr.args:
            expr = expr.args[0].value
        elif isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and not expr.args:
            if expr.func.attr.value not in ("children", "modules"):
                return None
            return expr.func.value, scope
        elif isinstance(expr, cst.Name):
            binding = model.lookup(expr.value, scope, model.order.get(expr))
            if binding is None or binding.kind != "assign" or binding.index is not None or binding.value is None:
                return None
            expr, scope = binding.value, binding.scope
        else:
            return None
        depth += 1
    return None
