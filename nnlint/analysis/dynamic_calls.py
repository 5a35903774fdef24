"""Constructors and functions reached by name: ``getattr(importlib.import_module(module), name)(...)``.

Research code often builds its network from a string of the configuration::

    def get_model(network, num_classes, criterion):
        mod = importlib.import_module(network[: network.rfind(".")])
        net_func = getattr(mod, network[network.rfind(".") + 1 :])
        return net_func(num_classes=num_classes, criterion=criterion)

No name at such a call says which class it builds. The project classes (and module-level functions) it
can reach are those whose signature takes what the call passes: every keyword by its name (a bare
``**kwargs`` does not make a match by itself), at most as many positional arguments as there are
positional parameters, and every required parameter given. A literal module name, or a literal prefix
of it (``"models." + name``, ``f"models.{name}"``), keeps to the modules under it; a call that passes
no keyword at all needs such a prefix (a count of positional arguments alone says too little).

The arguments of such a call are then bound to the parameters of each class it may build
(:func:`dynamic_arguments`, used by ``SemanticModel.passed_arguments``), so that ``self.criterion``
of the class resolves to what the callers of ``get_model`` pass.

Built only on the public API of :class:`~nnlint.analysis.model.SemanticModel`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

import libcst as cst

from nnlint.analysis.imports import resolve_relative
from nnlint.analysis.symbols import CallInfo, FunctionInfo, Scope

if TYPE_CHECKING:
    from nnlint.analysis.model import SemanticModel

_IMPORTERS = frozenset({"importlib.import_module", "__import__"})
_MAX_HOPS = 4  # plain assignments followed from the callee back to getattr, and from its module to the import
# what a file must spell out to hold a call by name, looked for in the text before anything is parsed:
# `getattr(` of an import call, or of a name assigned one (`mod = importlib.import_module(m)`)
CALLER_WORD = b"getattr"
_IMPORT_CALL = rb"(?:[\w.]*\bimport_module|__import__)\s*\("
_ASSIGNED_AN_IMPORT = re.compile(rb"(?<![\w.])([\w.]+)[ \t]*=[ \t]*" + _IMPORT_CALL)
_IMPORTER_WORDS = (b"import_module", b"__import__")
Argument = Tuple[cst.BaseExpression, Scope, "SemanticModel"]


@dataclass(frozen=True)
class DynamicCall:
    """A call of ``getattr(<imported module>, name)``; ``module_prefix``: the modules it can reach (the module
    name, or a prefix of it; None: any module of the project); ``exact``: the prefix is the whole name."""

    call: CallInfo
    module_prefix: Optional[str]
    exact: bool


def dynamic_calls(model: "SemanticModel") -> List[DynamicCall]:
    """The calls of this file whose callee is picked by name from an imported module (found once per file)."""
    return model.cached_analysis("dynamic-calls", lambda: _find_dynamic_calls(model))


def _find_dynamic_calls(model: "SemanticModel") -> List[DynamicCall]:
    if not model.calls_named("getattr"):
        return []
    found: List[DynamicCall] = []
    for call in model.calls:
        if any(arg.star for arg in call.node.args):
            continue  # `net_func(**cfg)`: what it passes is out of sight
        module = _picked_from_module(model, call.node.func, call.scope)
        if module is None:
            continue
        prefix, exact = _module_prefix(model, module, call.scope)
        if prefix is None and not any(arg.keyword is not None for arg in call.node.args):
            continue
        found.append(DynamicCall(call, prefix, exact))
    return found


def _followed(model: "SemanticModel", expr: cst.BaseExpression, scope: Scope) -> Tuple[cst.BaseExpression, Scope]:
    """What a name holds through plain assignments (the expression itself where it leads nowhere plain)."""
    for _ in range(_MAX_HOPS):
        if not isinstance(expr, cst.Name):
            break
        binding = model.reaching_value(expr, scope)
        if binding is None or binding.kind not in ("assign", "annassign") or binding.index is not None:
            break
        if binding.value is None:
            break
        expr, scope = binding.value, binding.scope
    return expr, scope


def _is_builtin(model: "SemanticModel", call: cst.Call, scope: Scope, name: str) -> bool:
    func = call.func
    return isinstance(func, cst.Name) and func.value == name and model.lookup(name, scope) is None


def _picked_from_module(
    model: "SemanticModel", callee: cst.BaseExpression, scope: Scope
) -> Optional[Tuple[cst.Call, Scope]]:
    """The ``importlib.import_module(...)`` call whose module a callee is taken from by ``getattr``."""
    picked, picked_scope = _followed(model, callee, scope)
    if not isinstance(picked, cst.Call) or not _is_builtin(model, picked, picked_scope, "getattr"):
        return None
    if len(picked.args) != 2 or any(arg.star or arg.keyword is not None for arg in picked.args):
        return None  # `getattr(mod, name, default)`: the default may be anything
    module, module_scope = _followed(model, picked.args[0].value, picked_scope)
    if not isinstance(module, cst.Call):
        return None
    importer = model.callee_qualname(module, module_scope)
    if importer not in _IMPORTERS and not _is_builtin(model, module, module_scope, "__import__"):
        return None
    return module, module_scope


def _module_prefix(model: "SemanticModel", picked: Tuple[cst.Call, Scope], scope: Scope) -> Tuple[Optional[str], bool]:
    """(the module name or its literal prefix, whether it is the whole name) of an import by name."""
    module_call, module_scope = picked
    name = model.argument(module_call, 0, "name")
    if name is None:
        return None, False
    name, _ = _followed(model, name, module_scope)
    prefix, exact = _literal_prefix(name)
    if prefix is None:
        return None, False
    if prefix.startswith("."):  # `import_module("." + name, package=__name__)`: under the caller's package
        dots = len(prefix) - len(prefix.lstrip("."))
        base = resolve_relative(model.module_name, model.is_package, dots, prefix[dots:] or None)
        if base is None:
            return "", False  # nowhere known: a prefix no module has
        return (base if exact else base + ("." if not prefix.endswith(".") else "")), exact
    if (
        _is_builtin(model, module_call, module_scope, "__import__")
        and model.argument(module_call, 3, "fromlist") is None
    ):
        top, dot, _ = prefix.partition(".")
        return (top, True) if dot else (prefix, exact)  # `__import__("models.resnet")` returns `models` itself
    return prefix, exact


def _literal_prefix(expr: cst.BaseExpression) -> Tuple[Optional[str], bool]:
    """("models.resnet", True) for ``"models.resnet"``, ("models.", False) for ``"models." + name`` or
    ``f"models.{name}"``; (None, False) where the name has no literal start."""
    if isinstance(expr, cst.SimpleString):
        value = expr.evaluated_value
        return (value if isinstance(value, str) else None), True
    if isinstance(expr, cst.FormattedString) and expr.parts and isinstance(expr.parts[0], cst.FormattedStringText):
        return expr.parts[0].value, False
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        left, _ = _literal_prefix(expr.left)
        return left, False
    return None, False


# ------------------------------------------------------------------------- what such a call may build
def accepts(func: FunctionInfo, call: cst.Call) -> bool:
    """The call can be a call of the function (of the class, for an ``__init__``): every keyword names one of
    its parameters (or a ``**kwargs`` takes it, where another keyword names one), the positional arguments
    fit, and every required parameter is given."""
    params = func.node.params
    positional = [*params.posonly_params, *params.params]
    if func.cls is not None and positional:
        positional = positional[1:]  # self
    count = sum(1 for arg in call.args if arg.keyword is None)
    if count > len(positional) and not isinstance(params.star_arg, cst.Param):
        return False
    given = {p.name.value for p in positional[:count]}
    by_name = {p.name.value for p in (*params.params, *params.kwonly_params)}
    keywords = [arg.keyword.value for arg in call.args if arg.keyword is not None]
    for keyword in keywords:
        if keyword in given:
            return False  # given twice: a TypeError, so not this one
        if keyword not in by_name and params.star_kwarg is None:
            return False
        given.add(keyword)
    if keywords and not by_name.intersection(keywords):
        return False  # only `**kwargs` takes what the call names: no evidence that it is this one
    return all(p.default is not None or p.name.value in given for p in (*positional, *params.kwonly_params))


def _constructor(func: FunctionInfo) -> bool:
    return func.name == "__init__" and func.cls is not None


def _reachable_module(owner: "SemanticModel", dynamic: DynamicCall) -> bool:
    if dynamic.module_prefix is None:
        return True
    name = owner.module_name or ""
    if dynamic.exact:  # the module itself, or one of its submodules whose names the package imports
        return name == dynamic.module_prefix or name.startswith(dynamic.module_prefix + ".")
    return name.startswith(dynamic.module_prefix)


def dynamic_callers(model: "SemanticModel", func: FunctionInfo) -> List[Tuple["SemanticModel", CallInfo]]:
    """Calls by name, in this file and the project's, that may build the function's class (for an
    ``__init__``) or call the (module-level) function."""
    table: Dict[int, List[Tuple["SemanticModel", CallInfo]]] = model.cached_analysis("dynamic-callers", dict)
    key = id(func.node)
    if key in table:
        return table[key]
    table[key] = []  # a cycle reaching the same question: none
    if _constructor(func):
        assert func.cls is not None
        if not func.cls.owner.is_module_class(func.cls) or func.cls.scope.parent is not model.module_scope:
            return []  # a module class of the file's top level only: what a network is built from
    elif func.cls is not None or func.outer is not model.module_scope:
        return []
    found: List[Tuple["SemanticModel", CallInfo]] = []
    for other in [model, *_files_calling_by_name(model)]:
        for dynamic in dynamic_calls(other):
            if _reachable_module(model, dynamic) and accepts(func, dynamic.call.node):
                found.append((other, dynamic.call))
    table[key] = found
    return found


def _files_calling_by_name(model: "SemanticModel") -> List["SemanticModel"]:
    """The other project files near this one (where its callers are searched) that make a call by name."""
    project = model.project
    if project is None:
        return []

    def find() -> List["SemanticModel"]:
        return [
            other for other in project.files_with_text(model, [CALLER_WORD], may_call_by_name) if dynamic_calls(other)
        ]

    return project.memoised(("files-calling-by-name", model.path), find)


def may_call_by_name(text: bytes) -> bool:
    """Whether a file's text may hold a call by name (:func:`dynamic_calls` finds none in a file without one):
    a whole tree of files using both ``getattr`` and ``import_module`` (a test suite) is not parsed for it."""
    if not any(word in text for word in _IMPORTER_WORDS):
        return False
    modules = [re.escape(name) for name in _ASSIGNED_AN_IMPORT.findall(text)]
    subjects = b"|".join([_IMPORT_CALL, *(name + rb"\b" for name in modules)])
    return re.search(rb"\bgetattr\s*\(\s*(?:" + subjects + rb")", text) is not None


def dynamic_arguments(model: "SemanticModel", func: FunctionInfo, param: str) -> List[Argument]:
    """(expression, scope, model of its file) passed for a parameter at every call by name that may reach the
    function (:func:`dynamic_callers`)."""
    index = func.param_index(param)
    found: List[Argument] = []
    for other, call in dynamic_callers(model, func):
        expr = other.argument(call.node, index, param)
        if expr is not None:
            found.append((expr, call.scope, other))
    return found


def builds_by_name(model: "SemanticModel") -> bool:
    """Whether the file makes a call by name: a factory whose parameters are what its callers choose to build
    the network with (worth finding those callers in the project, as for a file that trains)."""
    return bool(dynamic_calls(model))
