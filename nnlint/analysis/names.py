"""Names and scopes: which binding a name reads, what imported API it names, which user function or class it is.

A part of :class:`~nnlint.analysis.model.SemanticModel` (which combines the parts); read through it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Set

import libcst as cst

from nnlint.analysis import torch_api as api
from nnlint.analysis.imports import dotted_name
from nnlint.analysis.subclass_signatures import keeps_base_signature
from nnlint.analysis.symbols import (
    _MAX_DEPTH,
    Binding,
    ClassInfo,
    FunctionInfo,
    Scope,
)

if TYPE_CHECKING:
    from nnlint.analysis.model import SemanticModel


class NameResolution:
    def lookup(self: "SemanticModel", name: str, scope: Scope, before: Optional[int] = None) -> Optional[Binding]:
        """The binding a name refers to at position ``before`` in ``scope`` (None: its last binding).

        Flow-insensitive inside a scope but order-aware: the last binding that precedes the use wins;
        a name only bound later in the same scope (a loop-carried value) gets its last binding.
        Enclosing scopes are searched like Python does (class bodies are skipped from inside methods).
        """
        current: Optional[Scope] = scope
        first = True
        while current is not None:
            if current.kind == "class" and not first:
                current = current.parent
                continue
            bindings = current.bindings.get(name)
            if bindings:
                if before is not None and first:
                    preceding = [b for b in bindings if b.order < before and not self._binds_after_use(b, before)]
                    if preceding:
                        return preceding[-1]
                    if all(self._binds_after_use(b, before) for b in bindings) and current.parent is not None:
                        current, first = current.parent, False  # `x = f(x)` as x's first binding: x is outer
                        continue
                return bindings[-1]
            current = current.parent
            first = False
        return self._star_imported(name) or self._package_of_submodule(name)

    def alternative_bindings(self: "SemanticModel", name: cst.Name, scope: Scope, limit: int = 6) -> List[Binding]:
        """Every binding that may reach a use, latest first: the reaching one, and, while it is made only on
        some paths (in an ``if``/``else`` branch, a ``try``, a loop body that does not hold the use), the
        ones before it (``if v3: net = UNet3Plus() else: net = UNet()`` gives both). A module's name read in a
        function that only module-level statements call: the bindings made before the last such call."""
        reaching = self.reaching_value(name, scope)
        if reaching is None:
            return []
        use = self.order.get(name)
        if use is None:
            return [reaching]
        if reaching.scope is scope:
            preceding = [
                b for b in scope.bindings.get(name.value, []) if b.order < use and not self._binds_after_use(b, use)
            ]
        elif reaching.scope.kind == "class" or not self._encloses(reaching.scope, scope):
            return [reaching]  # a class body's name, or one bound in another file (`from models import *`)
        else:  # a module's (or enclosing function's) name read in a function: its bindings up to the reaching one
            runs_at = self._module_calls_end(scope) if reaching.scope.kind == "module" else None
            preceding = [
                b
                for b in reaching.scope.bindings.get(name.value, [])
                if b.order <= reaching.order and (runs_at is None or b.order < runs_at)
            ]
            if preceding and runs_at is not None:
                return self._bindings_on_paths(name, preceding, reaching.scope, limit)
        if not preceding or preceding[-1] is not reaching:
            return [reaching]
        return self._bindings_on_paths(name, preceding, reaching.scope, limit)

    def _module_calls_end(self: "SemanticModel", scope: Scope) -> Optional[int]:
        """Where a function defined at module level last runs, when every call of it in this file is a
        module-level statement (a script's `for epoch in ...: train()`): a global it reads holds what was
        bound before that call, not a later rebinding (`model = torch.load(f)` after training)."""
        func = scope.function
        if func is None or func.scope is not scope or func.outer is not self.module_scope:
            return None
        callers = self.callers(func)
        if not callers or any(call.scope is not self.module_scope for call in callers):
            return None
        return max(call.order for call in callers)

    def _bindings_on_paths(
        self: "SemanticModel", name: cst.Name, preceding: List[Binding], scope: Scope, limit: int
    ) -> List[Binding]:
        around_use = {id(a) for a in self.ancestors(name)}
        found: List[Binding] = []
        for binding in reversed(preceding):
            found.append(binding)
            if len(found) >= limit or not self._made_on_some_paths(binding, around_use, scope):
                break
        return found

    @staticmethod
    def _encloses(outer: Scope, scope: Scope) -> bool:
        current: Optional[Scope] = scope
        while current is not None:
            if current is outer:
                return True
            current = current.parent
        return False

    def _made_on_some_paths(self: "SemanticModel", binding: Binding, around_use: Set[int], scope: Scope) -> bool:
        for ancestor in self.ancestors(binding.node):
            if ancestor is scope.node:
                return False
            if isinstance(ancestor, _BRANCHES) and id(ancestor) not in around_use:
                return True
        return False

    def _star_imported(self: "SemanticModel", name: str) -> Optional[Binding]:
        """``name`` as bound by ``from models import *``, when a project module of that name defines it."""
        if not self.star_imports or self.project is None:
            return None
        cache: Dict[str, Optional[Binding]] = self.__dict__.setdefault("_star_bindings", {})
        if name in cache:
            return cache[name]
        cache[name] = None
        for module, node, order in reversed(self.star_imports):
            other = self.project.module_model(module, self)
            if other is None or other is self:
                continue
            found = other.lookup(name, other.module_scope)
            if found is None or found.kind not in ("import", "class", "def") or name.startswith("_"):
                continue
            qualname = found.qualname if found.kind == "import" else f"{module}.{name}"
            cache[name] = Binding(name, "import", node, None, order, self.module_scope, qualname=qualname)
            break
        return cache[name]

    def _package_of_submodule(self: "SemanticModel", name: str) -> Optional[Binding]:
        """``torch`` where the module never binds it but imports ``torch.nn as nn``: Python leaves the name
        unbound, yet the author meant the package (the code fails with a NameError otherwise)."""
        cache: Dict[str, Optional[Binding]] = self.__dict__.setdefault("_package_bindings", {})
        if name in cache:
            return cache[name]
        found: Optional[Binding] = None
        prefix = name + "."
        for bindings in self.module_scope.bindings.values():
            for binding in bindings:
                if binding.kind == "import" and (binding.qualname or "").startswith(prefix):
                    found = Binding(name, "import", binding.node, None, 0, self.module_scope, qualname=name)
                    break
            if found is not None:
                break
        cache[name] = found
        return found

    def _binds_after_use(self: "SemanticModel", binding: Binding, use: int) -> bool:
        """A binding is not visible inside the expression that computes it: in ``x = f(x)`` the ``x`` on
        the right reads the previous binding, and so does ``x`` in ``for x in g(x):`` / ``with h(x) as x:``
        (for/with targets and defs are visible inside their own bodies)."""
        if binding.kind in ("assign", "annassign", "augassign", "unpack", "walrus"):
            return binding.order <= use <= self.subtree_end.get(binding.node, binding.order)
        if binding.kind in ("for", "with") and binding.value is not None and binding.value in self.order:
            return self.order[binding.value] <= use <= self.subtree_end.get(binding.value, self.order[binding.value])
        return False

    def qualname(self: "SemanticModel", expr: cst.BaseExpression, scope: Scope, _depth: int = 0) -> Optional[str]:
        """Canonical qualified name of an imported API an expression names (``nn.Softmax`` -> ``torch.nn.Softmax``)."""
        dotted = dotted_name(expr)
        if dotted is None or _depth > _MAX_DEPTH:  # `x = x.parent` in a loop aliases itself
            return None
        root, _, rest = dotted.partition(".")
        binding = self.lookup(root, scope, self.order.get(expr))
        if binding is None:
            return None
        if binding.kind == "import" and binding.qualname:
            full = binding.qualname + ("." + rest if rest else "")
            return api.canonical(full)
        if binding.kind in ("assign", "annassign") and binding.value is not None and rest:
            # `F = torch.nn.functional` style aliases
            base = (
                self.qualname(binding.value, binding.scope, _depth + 1)
                if isinstance(binding.value, (cst.Name, cst.Attribute))
                else None
            )
            if base is not None:
                return api.canonical(f"{base}.{rest}")
        if (
            binding.kind in ("assign", "annassign")
            and binding.value is not None
            and not rest
            and isinstance(binding.value, (cst.Name, cst.Attribute))
        ):
            return self.qualname(binding.value, binding.scope, _depth + 1)
        return None

    def callee_qualname(self: "SemanticModel", call: cst.Call, scope: Optional[Scope] = None) -> Optional[str]:
        """Canonical qualified name of what a call calls (cached: every rule asks it of every call)."""
        # keyed by id (libcst nodes hash in Python); the entry keeps its node alive, so the id stays its own
        cache = self._qualname_cache
        entry = cache.get(id(call))
        if entry is not None and entry[0] is call:
            return entry[1]
        if scope is None:
            found = self.qualname(call.func, self.scope_of(call))
            cache[id(call)] = (call, found)
            return found
        found = self.qualname(call.func, scope)
        if scope is self.scope_of(call):
            cache[id(call)] = (call, found)
        return found

    def resolve_function(self: "SemanticModel", func_expr: cst.BaseExpression, scope: Scope) -> Optional[FunctionInfo]:
        """The user-defined function or method a call expression targets (same file or project)."""
        key = (id(func_expr), id(scope))
        if key in self._function_cache:
            return self._function_cache[key]
        cycles_before = self._object_cycles
        found = self._resolve_function(func_expr, scope)
        if found is not None or self._object_cycles == cycles_before:  # as in object_of: no verdict from inside a cycle
            self._function_cache[key] = found
        return found

    def _resolve_function(self: "SemanticModel", func_expr: cst.BaseExpression, scope: Scope) -> Optional[FunctionInfo]:
        if isinstance(func_expr, cst.Name):
            binding = self.lookup(func_expr.value, scope, self.order.get(func_expr))
            if binding is None:
                return None
            if binding.kind == "def":
                return self.function_info.get(binding.node)
            if binding.kind == "import" and binding.qualname and self.project is not None:
                found = self.project.lookup(binding.qualname, self)
                return found if isinstance(found, FunctionInfo) else None
            if binding.kind in ("assign", "annassign", "param", "walrus"):
                return self._call_method_of(func_expr, scope)  # a callable object: `loss_scaler(loss, optimizer)`
            return None
        if isinstance(func_expr, cst.Attribute):
            owner_cls = self._self_class(func_expr.value, scope)
            if owner_cls is not None:
                return (
                    self.method_of(owner_cls, func_expr.attr.value)
                    or self._call_method_of(func_expr, scope)
                    or self._function_kept_on(owner_cls, func_expr.attr.value)
                )
            obj = self.object_of(func_expr.value, scope)
            if obj.cls is not None:
                return obj.cls.owner.method_of(obj.cls, func_expr.attr.value)
            qualname = self.qualname(func_expr, scope)
            if qualname and self.project is not None:
                found = self.project.lookup(qualname, self)
                return found if isinstance(found, FunctionInfo) else None
        return None

    def _function_kept_on(self: "SemanticModel", cls: ClassInfo, attr: str) -> Optional[FunctionInfo]:
        """``self.neg_loss = _neg_loss`` (its only assignment), then ``self.neg_loss(out, target)``: the function."""
        bindings = cls.attributes.get(attr, [])
        if len(bindings) != 1 or not isinstance(bindings[0].value, cst.Name):
            return None
        binding = bindings[0]
        assert isinstance(binding.value, cst.Name)
        found = cls.owner.lookup(binding.value.value, binding.scope, cls.owner.order.get(binding.value))
        return cls.owner.function_info.get(found.node) if found is not None and found.kind == "def" else None

    def _call_method_of(self: "SemanticModel", expr: cst.BaseExpression, scope: Scope) -> Optional[FunctionInfo]:
        """``__call__`` of the user class an expression holds an instance of (not a module: its call is forward)."""
        obj = self.object_of(expr, scope)
        if obj.kind != "instance" or obj.cls is None:
            return None
        return obj.cls.owner.method_of(obj.cls, "__call__")

    def owner_of(self: "SemanticModel", func: FunctionInfo) -> Optional["SemanticModel"]:
        """The model of the file a function is defined in (this one, or another file of the project)."""
        if func.cls is not None:
            return func.cls.owner
        if func.scope.node in self.order:
            return self
        return self.project.model_of(func) if self.project is not None else None

    def method_of(self: "SemanticModel", cls: ClassInfo, name: str, _depth: int = 0) -> Optional[FunctionInfo]:
        if name in cls.methods:
            return cls.methods[name]
        if _depth > 5:
            return None
        for base in cls.owner.base_classes(cls):
            found = base.owner.method_of(base, name, _depth + 1)
            if found is not None:
                return found
        return None

    def base_classes(self: "SemanticModel", cls: ClassInfo) -> List[ClassInfo]:
        found: List[ClassInfo] = []
        for base in cls.bases:
            resolved = self.resolve_class(base, cls.scope.parent or self.module_scope)
            if resolved is not None:
                found.append(resolved)
        return found

    def resolve_class(
        self: "SemanticModel", expr: cst.BaseExpression, scope: Scope, _depth: int = 0
    ) -> Optional[ClassInfo]:
        """The user-defined class an expression names (same file or project), through plain aliases
        (``loader = InfiniteDataLoader``)."""
        if isinstance(expr, cst.Name):
            binding = self.lookup(expr.value, scope)
            if binding is None:
                return None
            if binding.kind == "class":
                return self.class_info.get(binding.node)
            if binding.kind == "import" and binding.qualname and self.project is not None:
                found = self.project.lookup(binding.qualname, self)
                return found if isinstance(found, ClassInfo) else None
            if (
                binding.kind == "assign"
                and binding.index is None
                and isinstance(binding.value, (cst.Name, cst.Attribute))
                and _depth < _MAX_DEPTH
                and len(binding.scope.bindings.get(expr.value, ())) == 1
            ):
                return self.resolve_class(binding.value, binding.scope, _depth + 1)
            return None
        qualname = self.qualname(expr, scope)
        if qualname and self.project is not None:
            found = self.project.lookup(qualname, self)
            return found if isinstance(found, ClassInfo) else None
        return None

    def find_class(self: "SemanticModel", name: str) -> Optional[ClassInfo]:
        for cls in self.classes:
            if cls.name == name and self.parent.get(cls.node) is not None and cls.scope.parent is self.module_scope:
                return cls
        return None

    def find_function(self: "SemanticModel", name: str) -> Optional[FunctionInfo]:
        for func in self.functions:
            if func.name == name and func.outer is self.module_scope:
                return func
        return None

    def is_module_class(self: "SemanticModel", cls: ClassInfo) -> bool:
        """Whether a class derives (through any number of user classes) from nn.Module or a LightningModule."""
        return self._library_base(cls, lambda qualname: qualname in api.MODULE_BASES) is not None

    def library_base_kind(self: "SemanticModel", cls: ClassInfo) -> Optional[str]:
        """ "scheduler" or "optimizer" for a class derived (through user classes) from one of torch's learning
        rate schedulers or from ``torch.optim.Optimizer`` (``class WarmupMultiStepLR(_LRScheduler)``);
        "loader" for a ``DataLoader`` subclass whose constructors keep DataLoader's own signature (none, or
        ``__init__(self, *args, **kwargs)`` handing both on to ``super().__init__``), so that a call's
        arguments mean what they mean to DataLoader (yolov5's ``InfiniteDataLoader``)."""
        base = self._library_base(
            cls,
            lambda q: api.is_scheduler(q) or q in api.OPTIMIZERS or q in api.OPTIMIZER_BASES or q in api.DATALOADERS,
        )
        if base is None:
            return None
        if base in api.DATALOADERS:
            return "loader" if keeps_base_signature(cls) else None
        return "scheduler" if api.is_scheduler(base) else "optimizer"

    def _library_base(
        self: "SemanticModel", cls: ClassInfo, accept: Callable[[str], bool], _depth: int = 0
    ) -> Optional[str]:
        """The first library base class ``accept`` takes, searched through the class's user base classes."""
        if _depth > 8:
            return None
        for base in cls.bases:
            qualname = cls.owner.qualname(base, cls.scope.parent or cls.owner.module_scope)
            if qualname is not None and accept(qualname):
                return qualname
            resolved = cls.owner.resolve_class(base, cls.scope.parent or cls.owner.module_scope)
            if resolved is not None:
                found = resolved.owner._library_base(resolved, accept, _depth + 1)
                if found is not None:
                    return found
        return None


# blocks that run on some paths only: a branch of an if, a try's handlers, a loop's body
_BRANCHES = (
    cst.If,
    cst.Else,
    cst.Try,
    cst.TryStar,
    cst.ExceptHandler,
    cst.ExceptStarHandler,
    cst.For,
    cst.While,
    cst.Match,
)
