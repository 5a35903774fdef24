"""mmcv-style registries: the classes a registry holds, and the calls that build one of them from a config.

Research code (mmdetection, mmsegmentation, lanedet and their many offspring) builds its modules by name::

    HEADS = Registry("heads")                        # registry.py

    @HEADS.register_module                           # exist_head.py (also `register_module()`,
    class ExistHead(nn.Module): ...                  # `register_module(name=...)`, `register()`,
                                                     # `HEADS.register_module(module=ExistHead)`)
    def build_head(cfg):
        return build_from_cfg(cfg, HEADS)            # or `HEADS.build(cfg)`, `HEADS.get(cfg.type)(...)`

    self.exist = build_head(cfg.exist)               # one of the classes HEADS holds

A call *builds from* a registry when it is ``R.build(cfg)``, ``R.get(name)(...)``, ``build_from_cfg(cfg, R)``,
or a call of a project function every one of whose returns builds from a registry (given as an argument,
``build(cfg, HEADS)``, or named inside) or is a container of such builds (``nn.Sequential(*modules)``).
Its object is one of the registry's classes: the one the config names where a literal
``dict(type="ExistHead")`` reaches the call, otherwise any of them (:func:`built_classes`).

The classes are looked for in the project files near the registry's module (the folders
:meth:`~nnlint.analysis.project.ProjectIndex.files_with_text` searches) whose text has ``.register``.

What rules get from it (the loss method of a registered head fed by its callers, the items of a
registry-built head's output) is in :mod:`nnlint.analysis.registry_uses`.

Built only on the public API of :class:`~nnlint.analysis.model.SemanticModel`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional, Tuple, Union

import libcst as cst

from nnlint.analysis.symbols import Binding, ClassInfo, FunctionInfo, Obj, Scope

if TYPE_CHECKING:
    from nnlint.analysis.model import SemanticModel

Registry = Tuple["SemanticModel", str]  # the file that defines the registry, and its module-level name
# a registry, or the name of the parameter of the function being summarised that receives one
RegistryOrParam = Union[Registry, str]
# what names the class: an expression (with its scope and file), the name of a parameter, or nothing known
Config = Union[Tuple[cst.BaseExpression, Scope, "SemanticModel"], str, None]

_MAX_DEPTH = 5
REGISTER_METHODS = frozenset({"register_module", "register"})
_CONTAINERS = frozenset({"Sequential", "ModuleList"})
_MAX_MEMBERS = 200


def registry_of(
    model: "SemanticModel", expr: Optional[cst.BaseExpression], scope: Scope, depth: int = 0
) -> Optional[Registry]:
    """The registry an expression names (``HEADS``, ``builder.HEADS``, through imports and aliases)."""
    if expr is None or depth > _MAX_DEPTH:
        return None
    if isinstance(expr, cst.Name):
        binding = model.reaching_value(expr, scope)
        return _bound_registry(model, binding, depth) if binding is not None else None
    if isinstance(expr, cst.Attribute):
        qualname = model.qualname(expr, scope)
        if qualname is None or "." not in qualname or model.project is None:
            return None
        module, _, name = qualname.rpartition(".")
        other = model.project.module_model(module, model)
        return _module_registry(other, name, depth + 1) if other is not None else None
    return None


def _module_registry(model: "SemanticModel", name: str, depth: int) -> Optional[Registry]:
    bindings = model.module_scope.bindings.get(name, [])
    if len(bindings) != 1:
        return None  # assigned twice, or not at all: not followed
    return _bound_registry(model, bindings[0], depth)


def _bound_registry(model: "SemanticModel", binding: Binding, depth: int) -> Optional[Registry]:
    if depth > _MAX_DEPTH:
        return None
    if binding.kind == "import" and binding.qualname and "." in binding.qualname and model.project is not None:
        module, _, name = binding.qualname.rpartition(".")
        other = model.project.module_model(module, model)
        return _module_registry(other, name, depth + 1) if other is not None else None
    if binding.kind != "assign" or binding.index is not None or binding.scope.kind != "module":
        return None
    value = binding.value
    if isinstance(value, (cst.Name, cst.Attribute)):  # `HEADS = MODELS`: one registry under two names
        return registry_of(model, value, binding.scope, depth + 1)
    if isinstance(value, cst.Call) and _is_registry_class(model, value, binding.scope):
        return (model, binding.name)
    return None


def _is_registry_class(model: "SemanticModel", call: cst.Call, scope: Scope) -> bool:
    """``Registry("heads")`` (a class of that name, from any library or the project), or a project class
    with a ``register_module``/``register`` method."""
    qualname = model.callee_qualname(call, scope)
    if qualname is not None and qualname.rsplit(".", 1)[-1] == "Registry":
        return True
    if isinstance(call.func, cst.Name) and call.func.value == "Registry":
        return True
    cls = model.resolve_class(call.func, scope)
    return cls is not None and any(cls.owner.method_of(cls, name) is not None for name in REGISTER_METHODS)


def _same(a: Optional[Registry], b: Registry) -> bool:
    return a is not None and a[1] == b[1] and a[0].path == b[0].path


def members(registry: Registry) -> List[Tuple[str, ClassInfo]]:
    """(registered name, class) of every class the project registers in a registry."""
    model, name = registry
    if model.project is None:
        return list(_members_in(model, registry))
    key = ("registry-members", model.path, name)
    return model.project.memoised(key, lambda: _find_members(registry))


def _find_members(registry: Registry) -> List[Tuple[str, ClassInfo]]:
    model = registry[0]
    files = [model]
    if model.project is not None:
        files += model.project.files_with_text(model, [b".register"])
    found: List[Tuple[str, ClassInfo]] = []
    for other in files:
        found.extend(_members_in(other, registry))
        if len(found) > _MAX_MEMBERS:
            break
    return found


def _members_in(model: "SemanticModel", registry: Registry) -> List[Tuple[str, ClassInfo]]:
    found: List[Tuple[str, ClassInfo]] = []
    for cls in model.classes:
        outer = cls.scope.parent
        if outer is None:
            continue
        for decorator in cls.node.decorators:
            expr = decorator.decorator
            call = expr if isinstance(expr, cst.Call) else None
            func = call.func if call is not None else expr
            if (
                isinstance(func, cst.Attribute)
                and func.attr.value in REGISTER_METHODS
                and _same(registry_of(model, func.value, outer), registry)
            ):
                named = _string(model.argument(call, 0, "name")) if call is not None else None
                found.append((named or cls.name, cls))
    for info in model.calls_named(*REGISTER_METHODS):  # `HEADS.register_module(module=ExistHead)`
        func = info.node.func
        if not isinstance(func, cst.Attribute) or not _same(registry_of(model, func.value, info.scope), registry):
            continue
        module = model.argument(info.node, None, "module")
        if module is None:
            first = model.argument(info.node, 0, None)
            module = first if isinstance(first, (cst.Name, cst.Attribute)) else None
        registered = model.resolve_class(module, info.scope) if module is not None else None
        if registered is not None:
            named = _string(model.argument(info.node, None, "name"))
            found.append((named or registered.name, registered))
    return found


def _string(expr: Optional[cst.BaseExpression]) -> Optional[str]:
    if isinstance(expr, cst.SimpleString):
        value = expr.evaluated_value
        return value if isinstance(value, str) else None
    return None


# ----------------------------------------------------------------------------------------- builds
def built_classes(model: "SemanticModel", call: cst.Call, scope: Scope) -> Optional[List[ClassInfo]]:
    """The classes a call may build from a registry (narrowed to the one a literal config names), or None
    where the call builds from no registry the project shows."""
    source = _build_source(model, call, scope, None, 0)
    if source is None or isinstance(source[0], str):
        return None
    registered = members(source[0])
    if not registered:
        return None
    config = source[1]
    named = _config_type(config[2], config[0], config[1], 0) if isinstance(config, tuple) else None
    classes: Dict[int, ClassInfo] = {}
    for name, cls in registered:
        if named is None or name == named:
            classes.setdefault(id(cls.node), cls)
    return list(classes.values()) or None


def built_object(model: "SemanticModel", call: cst.Call, scope: Scope) -> Optional[Obj]:
    """The object a registry build makes: its class where only one can be built; a module of a class known
    only as one of the registry's (:func:`alternatives` lists them) where all are modules."""
    classes = built_classes(model, call, scope)
    if not classes:
        return None
    if len(classes) == 1:
        cls = classes[0]
        return Obj("model" if cls.owner.is_module_class(cls) else "instance", None, call, cls, cls.owner, scope)
    if all(cls.owner.is_module_class(cls) for cls in classes):
        return Obj("model", None, call, None, model, scope)
    return None


def alternatives(obj: Obj) -> List[Obj]:
    """One object per class a registry build may make (``obj`` itself where it is no such build)."""
    if obj.cls is not None or obj.kind != "model" or not isinstance(obj.node, cst.Call):
        return [obj]
    if obj.owner is None or obj.scope is None:
        return [obj]
    classes = built_classes(obj.owner, obj.node, obj.scope)
    if not classes:
        return [obj]
    return [Obj("model", None, cls.node, cls, cls.owner, obj.scope) for cls in classes]


def _build_source(
    model: "SemanticModel", call: cst.Call, scope: Scope, within: Optional[FunctionInfo], depth: int
) -> Optional[Tuple[RegistryOrParam, Config]]:
    """(registry, config) of a call that builds from a registry; in the summary of ``within``, either may be
    one of its parameters."""
    if depth > _MAX_DEPTH:
        return None
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value == "build":  # `HEADS.build(cfg)`
        built_by = _registry_or_param(model, func.value, scope, within)
        if built_by is not None:
            return built_by, _config(model, model.argument(call, 0, "cfg"), scope, within)
    if isinstance(func, cst.Call):  # `HEADS.get(cfg["type"])(**cfg)`
        return _got_class(model, func, scope, within)
    if isinstance(func, cst.Name) and within is not None:  # `obj_cls = registry.get(obj_type)`; `obj_cls(**args)`
        for binding in within.scope.bindings.get(func.value, []):
            if binding.kind == "assign" and binding.index is None and isinstance(binding.value, cst.Call):
                got = _got_class(model, binding.value, within.scope, within)
                if got is not None:
                    return got
    target = model.resolve_function(func, scope)
    if target is None:
        qualname = model.callee_qualname(call, scope)
        if qualname is not None and qualname.rsplit(".", 1)[-1] == "build_from_cfg":  # mmcv's, mmengine's
            built_by = _registry_or_param(model, model.argument(call, 1, "registry"), scope, within)
            if built_by is not None:
                return built_by, _config(model, model.argument(call, 0, "cfg"), scope, within)
        return None
    owner = model.owner_of(target)
    summary = _builder_summary(owner, target, depth + 1) if owner is not None else None
    if summary is None:
        return None
    registry_source, config_source = summary
    registry: Optional[RegistryOrParam] = registry_source if not isinstance(registry_source, str) else None
    if isinstance(registry_source, str):
        passed = model.argument(call, target.param_index(registry_source), registry_source)
        registry = _registry_or_param(model, passed, scope, within)
    if registry is None:
        return None
    config: Config = None
    if isinstance(config_source, str):
        passed = model.argument(call, target.param_index(config_source), config_source)
        config = _config(model, passed, scope, within)
    return registry, config


def _got_class(
    model: "SemanticModel", call: cst.Call, scope: Scope, within: Optional[FunctionInfo]
) -> Optional[Tuple[RegistryOrParam, Config]]:
    """(registry, name) of ``R.get(name)``."""
    func = call.func
    if not isinstance(func, cst.Attribute) or func.attr.value != "get" or len(call.args) != 1:
        return None
    registry = _registry_or_param(model, func.value, scope, within)
    if registry is None:
        return None
    return registry, _config(model, call.args[0].value, scope, within)


def _builder_summary(
    model: "SemanticModel", func: FunctionInfo, depth: int
) -> Optional[Tuple[RegistryOrParam, Config]]:
    """(registry, config) every build a function returns shares, where each return builds from a registry (or
    holds such builds in a container, or is None); None otherwise. Memoised per function."""
    cache: Dict[int, Optional[Tuple[RegistryOrParam, Config]]] = model.cached_analysis("registry-builders", dict)
    key = id(func.node)
    if key in cache:
        return cache[key]
    cache[key] = None  # recursion guard
    found: List[Tuple[RegistryOrParam, Config]] = []
    for ret in func.returns:
        value = ret.value
        if value is None or (isinstance(value, cst.Name) and value.value == "None"):
            continue
        if isinstance(value, cst.Call) and _is_container(model, value, func.scope):
            continue  # `nn.Sequential(*modules)` of several builds
        source = _build_source(model, value, func.scope, func, depth) if isinstance(value, cst.Call) else None
        if source is None:
            return None
        found.append(source)
    if not found or any(not _same_source(found[0], other) for other in found[1:]):
        return None
    cache[key] = found[0]
    return found[0]


def _same_source(a: Tuple[RegistryOrParam, Config], b: Tuple[RegistryOrParam, Config]) -> bool:
    same_registry = a[0] == b[0] if isinstance(a[0], str) or isinstance(b[0], str) else _same(a[0], b[0])
    same_config = a[1] == b[1] if isinstance(a[1], str) or isinstance(b[1], str) else a[1] is None and b[1] is None
    return same_registry and same_config


def _is_container(model: "SemanticModel", call: cst.Call, scope: Scope) -> bool:
    qualname = model.callee_qualname(call, scope) or ""
    return qualname.startswith("torch.nn.") and qualname.rsplit(".", 1)[-1] in _CONTAINERS


def _registry_or_param(
    model: "SemanticModel", expr: Optional[cst.BaseExpression], scope: Scope, within: Optional[FunctionInfo]
) -> Optional[RegistryOrParam]:
    param = _parameter(model, expr, scope, within, 0)
    return param if param is not None else registry_of(model, expr, scope)


def _config(
    model: "SemanticModel", expr: Optional[cst.BaseExpression], scope: Scope, within: Optional[FunctionInfo]
) -> Config:
    if expr is None:
        return None
    param = _parameter(model, expr, scope, within, 0)
    return param if param is not None else (expr, scope, model)


def _parameter(
    model: "SemanticModel",
    expr: Optional[cst.BaseExpression],
    scope: Scope,
    within: Optional[FunctionInfo],
    depth: int,
) -> Optional[str]:
    """The parameter of ``within`` an expression is, or is read from (``args = cfg.copy()``,
    ``obj_type = args.pop("type")``, ``cfg["type"]``)."""
    if expr is None or within is None or depth > 6:
        return None
    if isinstance(expr, cst.Name):
        binding = model.reaching_value(expr, scope)
        if binding is None or binding.scope is not within.scope:
            return None
        if binding.kind == "param":
            return expr.value
        if binding.kind == "assign" and binding.index is None:
            return _parameter(model, binding.value, scope, within, depth + 1)
        return None
    if isinstance(expr, cst.Subscript):
        return _parameter(model, expr.value, scope, within, depth + 1)
    if (
        isinstance(expr, cst.Call)
        and isinstance(expr.func, cst.Attribute)
        and expr.func.attr.value in ("pop", "get", "copy")
    ):
        return _parameter(model, expr.func.value, scope, within, depth + 1)
    if isinstance(expr, cst.Call) and len(expr.args) == 1 and not expr.args[0].star and not expr.args[0].keyword:
        copied = model.callee_qualname(expr, scope) in ("copy.copy", "copy.deepcopy") or (
            isinstance(expr.func, cst.Name) and expr.func.value == "dict" and model.lookup("dict", scope) is None
        )  # `args = dict(cfg)`, `copy.deepcopy(cfg)`
        return _parameter(model, expr.args[0].value, scope, within, depth + 1) if copied else None
    return None


def _config_type(model: "SemanticModel", expr: cst.BaseExpression, scope: Scope, depth: int) -> Optional[str]:
    """The class name a literal config gives: ``dict(type="ExistHead", ...)``, ``{"type": "ExistHead"}``, or the
    name itself (``HEADS.get("ExistHead")``), through local names."""
    if depth > 4:
        return None
    named = _string(expr)
    if named is not None:
        return named
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value == "dict":
        return _string(model.argument(expr, None, "type"))
    if isinstance(expr, cst.Dict):
        for element in expr.elements:
            if isinstance(element, cst.DictElement) and _string(element.key) == "type":
                return _string(element.value)
        return None
    if isinstance(expr, cst.Name):
        binding = model.reaching_value(expr, scope)
        if binding is not None and binding.kind == "assign" and binding.index is None and binding.value is not None:
            return _config_type(model, binding.value, binding.scope, depth + 1)
    return None
