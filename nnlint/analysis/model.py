"""The semantic model of one file: built in a single walk of its libcst tree, queried by every rule.

What it records in that walk: scopes and the bindings in them (assignments, imports, parameters, loop
and ``with`` targets), functions and classes, every call with the loops/``with`` blocks/function that
enclose it, and a parent map. Everything else is derived lazily and cached: what a name resolves to
(:meth:`SemanticModel.qualname`), what object an expression holds (:meth:`SemanticModel.object_of`:
a model, loss, optimizer, scheduler, DataLoader...), what a tensor passed through last
(:meth:`SemanticModel.tail_of`), which loops train and which evaluate.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Callable, Dict, Iterable, Iterator, List, Optional, Set, Tuple, Union

import os
from bisect import bisect_left, bisect_right

import libcst as cst
from libcst.metadata import CodeRange

from nnlint.analysis import torch_api as api
from nnlint.analysis.imports import dotted_name, import_bindings
from nnlint.analysis.positions import SMALL_STATEMENTS, StatementAnchoredPositions, enclosing_small_statement, node_positions
from nnlint.analysis.walk import LAYOUT_TYPES, walk

if TYPE_CHECKING:
    from nnlint.analysis.project import ProjectIndex

_MAX_DEPTH = 12


@dataclass(eq=False)
class Binding:
    """One place where a name gets a value."""

    name: str
    kind: str  # assign | augassign | annassign | unpack | import | def | class | param | for | with | walrus
    node: cst.CSTNode  # the binding statement (or FunctionDef/ClassDef/Param)
    value: Optional[cst.BaseExpression]  # the expression assigned (for 'for': the iterable; 'with': the context)
    order: int
    scope: "Scope"
    qualname: Optional[str] = None  # for imports
    index: Optional[Tuple[int, ...]] = None  # position inside a tuple target, e.g. (1,) for `x, y = ...`


@dataclass(eq=False)
class Scope:
    node: cst.CSTNode
    parent: Optional["Scope"]
    kind: str  # module | function | class
    bindings: Dict[str, List[Binding]] = field(default_factory=dict)
    function: Optional["FunctionInfo"] = None

    def add(self, binding: Binding) -> None:
        self.bindings.setdefault(binding.name, []).append(binding)


@dataclass(eq=False)
class FunctionInfo:
    node: cst.FunctionDef
    name: str
    scope: Scope  # the function's own scope
    outer: Scope  # the scope it is defined in
    cls: Optional["ClassInfo"]
    params: List[str] = field(default_factory=list)
    returns: List[cst.Return] = field(default_factory=list)
    calls: List["CallInfo"] = field(default_factory=list)  # calls directly in its body (not nested defs)

    def param_index(self, name: str) -> Optional[int]:
        """Position of a parameter in a call (``self`` excluded for methods)."""
        if name not in self.params:
            return None
        index = self.params.index(name)
        return index - 1 if self.cls is not None and self.params and self.params[0] in ("self", "cls") else index


@dataclass(eq=False)
class ClassInfo:
    node: cst.ClassDef
    name: str
    scope: Scope  # the class body's scope
    owner: "SemanticModel"
    bases: List[cst.BaseExpression] = field(default_factory=list)
    methods: Dict[str, FunctionInfo] = field(default_factory=dict)
    attributes: Dict[str, List[Binding]] = field(default_factory=dict)  # self.x = ... in any method


@dataclass(eq=False)
class CallInfo:
    node: cst.Call
    scope: Scope
    function: Optional[FunctionInfo]
    loops: Tuple["LoopInfo", ...]  # enclosing loops, outermost first (within the function)
    withs: Tuple[cst.With, ...]  # enclosing with-statements, outermost first (within the function)
    order: int

    @property
    def method_name(self) -> Optional[str]:
        func = self.node.func
        return func.attr.value if isinstance(func, cst.Attribute) else None

    @property
    def receiver(self) -> Optional[cst.BaseExpression]:
        func = self.node.func
        return func.value if isinstance(func, cst.Attribute) else None


@dataclass(eq=False)
class LoopInfo:
    node: Union[cst.For, cst.While]
    scope: Scope
    function: Optional[FunctionInfo]
    parent: Optional["LoopInfo"]
    order: int
    calls: List[CallInfo] = field(default_factory=list)  # calls anywhere inside (nested loops included)

    @property
    def iter(self) -> Optional[cst.BaseExpression]:
        return self.node.iter if isinstance(self.node, cst.For) else None


@dataclass(frozen=True, eq=False)
class Obj:
    """What an expression holds, as far as the source shows.

    kind: model | layer | loss | optimizer | scheduler | loader | sampler | instance (of a user class
    that is not a module, e.g. a Trainer) | unknown
    """

    kind: str
    qualname: Optional[str] = None  # canonical torch API name of the constructor, if any
    node: Optional[cst.CSTNode] = field(default=None, repr=False)  # the constructing call (or def)
    cls: Optional[ClassInfo] = field(default=None, repr=False)  # a user-defined model class
    owner: Optional["SemanticModel"] = field(default=None, repr=False)  # the file `node` lives in
    scope: Optional[Scope] = field(default=None, repr=False)


UNKNOWN = Obj("unknown")


@dataclass(frozen=True, eq=False)
class Tail:
    """What a tensor passed through last.

    kind: an activation kind from torch_api (softmax, log_softmax, sigmoid, relu, tanh, ...), ``linear``
    for a Linear/Conv layer, ``model`` when unresolved model output, or ``unknown``.
    """

    kind: str
    node: Optional[cst.CSTNode] = None  # where that last op is written
    owner: Optional["SemanticModel"] = None
    via_model: Optional[Obj] = None  # the model object whose output this is, if any
    layer_qualname: Optional[str] = None  # e.g. torch.nn.Linear for kind 'linear'


UNKNOWN_TAIL = Tail("unknown")
_LINEAR_LAYERS = frozenset(
    api.NN + n
    for n in ("Linear", "LazyLinear", "Bilinear", "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d")
)


class _Builder(cst.CSTVisitor):
    """The single walk: fills a SemanticModel's tables."""

    def __init__(self, model: "SemanticModel") -> None:
        super().__init__()
        self.m = model
        self.stack: List[cst.CSTNode] = []
        self.scopes: List[Scope] = [model.module_scope]
        self.functions: List[Optional[FunctionInfo]] = [None]
        self.classes: List[Optional[ClassInfo]] = [None]
        self.loops: List[List[LoopInfo]] = [[]]
        self.withs: List[List[cst.With]] = [[]]
        self.counter = 0
        self.handlers: Dict[type, Callable[[cst.CSTNode], None]] = {
            cst.FunctionDef: self._enter_function,
            cst.ClassDef: self._enter_class,
            cst.Assign: self._assign,
            cst.AnnAssign: self._ann_assign,
            cst.AugAssign: self._aug_assign,
            cst.For: self._for,
            cst.While: self._while,
            cst.With: self._with,
            cst.Import: self._import,
            cst.ImportFrom: self._import,
            cst.NamedExpr: self._walrus,
            cst.Call: self._call,
            cst.Return: self._return,
        }
        self.leavers: Dict[type, Callable[[cst.CSTNode], None]] = {
            cst.FunctionDef: self._leave_function,
            cst.ClassDef: self._leave_class,
            cst.For: self._leave_loop,
            cst.While: self._leave_loop,
            cst.With: self._leave_with,
        }

    # generic dispatch --------------------------------------------------------------------------
    def on_visit(self, node: cst.CSTNode) -> bool:
        self.counter += 1
        self.m.order[node] = self.counter
        if self.stack:
            self.m.parent[node] = self.stack[-1]
        self.stack.append(node)
        self.m._nodes_by_type.setdefault(type(node), []).append(node)
        handler = self.handlers.get(type(node))
        if handler is not None:
            handler(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        leaver = self.leavers.get(type(original_node))
        if leaver is not None:
            leaver(original_node)
        self.m.subtree_end[original_node] = self.counter
        self.stack.pop()

    # helpers -----------------------------------------------------------------------------------
    @property
    def scope(self) -> Scope:
        return self.scopes[-1]

    def _bind(self, name: str, kind: str, node: cst.CSTNode, value: Optional[cst.BaseExpression], **extra: object) -> None:
        self.scope.add(Binding(name, kind, node, value, self.counter, self.scope, **extra))  # type: ignore[arg-type]

    def _bind_target(self, target: cst.BaseExpression, kind: str, node: cst.CSTNode, value: Optional[cst.BaseExpression], index: Tuple[int, ...] = ()) -> None:
        if isinstance(target, cst.Name):
            self._bind(target.value, kind if not index else ("unpack" if kind == "assign" else kind), node, value, index=index or None)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for position, element in enumerate(target.elements):
                inner = element.value
                if isinstance(element, cst.StarredElement):
                    continue
                self._bind_target(inner, kind, node, value, index + (position,))
        elif isinstance(target, cst.Attribute) and not index:
            cls = self.classes[-1]
            func = self.functions[-1]
            if (
                cls is not None
                and func is not None
                and func.cls is cls
                and isinstance(target.value, cst.Name)
                and func.params
                and target.value.value == func.params[0]
            ):
                binding = Binding(target.attr.value, kind, node, value, self.counter, self.scope)
                cls.attributes.setdefault(target.attr.value, []).append(binding)

    # handlers ----------------------------------------------------------------------------------
    def _enter_function(self, node: cst.CSTNode) -> None:
        assert isinstance(node, cst.FunctionDef)
        outer = self.scope
        cls = self.classes[-1] if outer.kind == "class" else None
        scope = Scope(node, outer, "function")
        info = FunctionInfo(node, node.name.value, scope, outer, cls)
        scope.function = info
        self._bind(node.name.value, "def", node, None)
        if cls is not None:
            cls.methods[node.name.value] = info
        self.m.functions.append(info)
        self.scopes.append(scope)
        self.functions.append(info)
        self.loops.append([])
        self.withs.append([])
        params = node.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            info.params.append(param.name.value)
            self._bind(param.name.value, "param", param, param.default)
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                self._bind(star.name.value, "param", star, None)

    def _leave_function(self, node: cst.CSTNode) -> None:
        self.scopes.pop()
        self.functions.pop()
        self.loops.pop()
        self.withs.pop()

    def _enter_class(self, node: cst.CSTNode) -> None:
        assert isinstance(node, cst.ClassDef)
        self._bind(node.name.value, "class", node, None)
        scope = Scope(node, self.scope, "class")
        info = ClassInfo(node, node.name.value, scope, self.m, [arg.value for arg in node.bases])
        self.m.classes.append(info)
        self.scopes.append(scope)
        self.classes.append(info)

    def _leave_class(self, node: cst.CSTNode) -> None:
        self.scopes.pop()
        self.classes.pop()

    def _assign(self, node: cst.CSTNode) -> None:
        assert isinstance(node, cst.Assign)
        for target in node.targets:
            self._bind_target(target.target, "assign", node, node.value)

    def _ann_assign(self, node: cst.CSTNode) -> None:
        assert isinstance(node, cst.AnnAssign)
        self._bind_target(node.target, "assign", node, node.value)

    def _aug_assign(self, node: cst.CSTNode) -> None:
        assert isinstance(node, cst.AugAssign)
        if isinstance(node.target, cst.Name):
            self._bind(node.target.value, "augassign", node, node.value)

    def _new_loop(self, node: Union[cst.For, cst.While]) -> LoopInfo:
        enclosing = self.loops[-1]
        loop = LoopInfo(node, self.scope, self.functions[-1], enclosing[-1] if enclosing else None, self.counter)
        self.m.loops.append(loop)
        enclosing.append(loop)
        return loop

    def _for(self, node: cst.CSTNode) -> None:
        assert isinstance(node, cst.For)
        self._new_loop(node)
        self._bind_target(node.target, "for", node, node.iter)

    def _while(self, node: cst.CSTNode) -> None:
        assert isinstance(node, cst.While)
        self._new_loop(node)

    def _leave_loop(self, node: cst.CSTNode) -> None:
        self.loops[-1].pop()

    def _with(self, node: cst.CSTNode) -> None:
        assert isinstance(node, cst.With)
        self.withs[-1].append(node)
        self.m.withs.append(node)
        for item in node.items:
            if item.asname is not None:
                self._bind_target(item.asname.name, "with", node, item.item)

    def _leave_with(self, node: cst.CSTNode) -> None:
        self.withs[-1].pop()

    def _import(self, node: cst.CSTNode) -> None:
        for local, qualname in import_bindings(node, self.m.module_name, self.m.is_package):
            self._bind(local, "import", node, None, qualname=qualname)

    def _walrus(self, node: cst.CSTNode) -> None:
        assert isinstance(node, cst.NamedExpr)
        if isinstance(node.target, cst.Name):
            self._bind(node.target.value, "walrus", node, node.value)

    def _call(self, node: cst.CSTNode) -> None:
        assert isinstance(node, cst.Call)
        loops = tuple(self.loops[-1])
        info = CallInfo(node, self.scope, self.functions[-1], loops, tuple(self.withs[-1]), self.counter)
        self.m.calls.append(info)
        self.m.call_info[node] = info
        for loop in loops:
            loop.calls.append(info)
        if self.functions[-1] is not None:
            self.functions[-1].calls.append(info)

    def _return(self, node: cst.CSTNode) -> None:
        assert isinstance(node, cst.Return)
        func = self.functions[-1]
        if func is not None:
            func.returns.append(node)


class SemanticModel:
    """Everything the rules know about one file."""

    def __init__(
        self,
        module: cst.Module,
        path: str = "<string>",
        module_name: Optional[str] = None,
        is_package: bool = False,
        project: Optional["ProjectIndex"] = None,
    ) -> None:
        self.module = module
        self.path = path
        self.module_name = module_name
        self.is_package = is_package
        self.project = project
        self.module_scope = Scope(module, None, "module")
        self.order: Dict[cst.CSTNode, int] = {}
        self.parent: Dict[cst.CSTNode, cst.CSTNode] = {}
        self.subtree_end: Dict[cst.CSTNode, int] = {}  # preorder index of a node's last descendant
        self._nodes_by_type: Dict[type, List[cst.CSTNode]] = {}  # in preorder
        self._qualname_cache: Dict[cst.Call, Optional[str]] = {}
        self.functions: List[FunctionInfo] = []
        self.classes: List[ClassInfo] = []
        self.calls: List[CallInfo] = []
        self.call_info: Dict[cst.Call, CallInfo] = {}
        self.loops: List[LoopInfo] = []
        self.withs: List[cst.With] = []
        self._object_cache: Dict[Tuple[int, int], Obj] = {}
        self._objects_in_progress: Set[Tuple[int, int]] = set()
        self._object_cycles = 0
        self._function_cache: Dict[Tuple[int, int], Optional[FunctionInfo]] = {}
        self._reachable_cache: Dict[int, List[CallInfo]] = {}
        self._callers_table: Optional[Dict[FunctionInfo, List[CallInfo]]] = None
        self._callers_busy = False
        self._ranges: Optional[Dict[cst.CSTNode, CodeRange]] = None
        self._anchored: Optional[StatementAnchoredPositions] = None
        self.source: Optional[str] = None  # the file's text, when the caller has it (cheaper positions)
        builder = _Builder(self)
        walk(module, builder.on_visit, builder.on_leave, LAYOUT_TYPES)  # libcst's visit() rebuilds every node: ~3x slower

    def range_of(self, node: cst.CSTNode) -> CodeRange:
        """Source range of a node, computed on first use: most files have no finding and never pay for it.

        With the file's text at hand, only the node's own statement gets a position pass (anchored by
        Python's ``ast``); otherwise, or when that answer does not check out, the whole file does.
        """
        if self._ranges is None and self.source is not None:
            if self._anchored is None:
                self._anchored = StatementAnchoredPositions(self.source, self.nodes_of(SMALL_STATEMENTS))
            statement = enclosing_small_statement(node, self.ancestors(node))
            found = self._anchored.range_of(node, statement, self.module.code_for_node)
            if found is not None:
                return found
        if self._ranges is None:
            self._ranges = node_positions(self.module)
        return self._ranges[node]

    def line_of(self, node: cst.CSTNode) -> int:
        return self.range_of(node).start.line

    def where(self, node: cst.CSTNode, relative_to: Optional["SemanticModel"] = None) -> str:
        """``line 12`` for a node of this file, ``models.py:12`` when quoted from another file."""
        line = self.line_of(node)
        if relative_to is None or relative_to is self:
            return f"line {line}"
        return f"{os.path.basename(self.path)}:{line}"

    # ---------------------------------------------------------------------------------- structure
    def ancestors(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        current = self.parent.get(node)
        while current is not None:
            yield current
            current = self.parent.get(current)

    def enclosing(self, node: cst.CSTNode, kinds: Union[type, Tuple[type, ...]]) -> Optional[cst.CSTNode]:
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, kinds):
                return ancestor
        return None

    def function_of(self, node: cst.CSTNode) -> Optional[FunctionInfo]:
        func = self.enclosing(node, cst.FunctionDef)
        return self.function_info.get(func) if func is not None else None  # type: ignore[arg-type]

    def scope_of(self, node: cst.CSTNode) -> Scope:
        func = self.function_of(node)
        return func.scope if func is not None else self.module_scope

    @cached_property
    def function_info(self) -> Dict[cst.FunctionDef, FunctionInfo]:
        return {info.node: info for info in self.functions}

    @cached_property
    def class_info(self) -> Dict[cst.ClassDef, ClassInfo]:
        return {info.node: info for info in self.classes}

    @cached_property
    def imported_modules(self) -> Set[str]:
        """Top-level names of every module this file imports (``torch``, ``numpy``, ``models``...)."""
        found: Set[str] = set()
        for scope in self._all_scopes():
            for bindings in scope.bindings.values():
                for binding in bindings:
                    if binding.kind == "import" and binding.qualname:
                        found.add(binding.qualname.split(".")[0])
        return found

    def _all_scopes(self) -> Iterator[Scope]:
        yield self.module_scope
        for func in self.functions:
            yield func.scope
        for cls in self.classes:
            yield cls.scope

    # ------------------------------------------------------------------------------------ names
    def lookup(self, name: str, scope: Scope, before: Optional[int] = None) -> Optional[Binding]:
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
        return None

    def _binds_after_use(self, binding: Binding, use: int) -> bool:
        """A binding is not visible inside the expression that computes it: in ``x = f(x)`` the ``x`` on
        the right reads the previous binding, and so does ``x`` in ``for x in g(x):`` / ``with h(x) as x:``
        (for/with targets and defs are visible inside their own bodies)."""
        if binding.kind in ("assign", "annassign", "augassign", "unpack", "walrus"):
            return binding.order <= use <= self.subtree_end.get(binding.node, binding.order)
        if binding.kind in ("for", "with") and binding.value is not None and binding.value in self.order:
            return self.order[binding.value] <= use <= self.subtree_end.get(binding.value, self.order[binding.value])
        return False

    def qualname(self, expr: cst.BaseExpression, scope: Scope, _depth: int = 0) -> Optional[str]:
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
            base = self.qualname(binding.value, binding.scope, _depth + 1) if isinstance(binding.value, (cst.Name, cst.Attribute)) else None
            if base is not None:
                return api.canonical(f"{base}.{rest}")
        if binding.kind in ("assign", "annassign") and binding.value is not None and not rest and isinstance(binding.value, (cst.Name, cst.Attribute)):
            return self.qualname(binding.value, binding.scope, _depth + 1)
        return None

    def callee_qualname(self, call: cst.Call, scope: Optional[Scope] = None) -> Optional[str]:
        """Canonical qualified name of what a call calls (cached: every rule asks it of every call)."""
        if scope is None or call in self._qualname_cache:
            if call not in self._qualname_cache:
                self._qualname_cache[call] = self.qualname(call.func, self.scope_of(call))
            return self._qualname_cache[call]
        found = self.qualname(call.func, scope)
        if scope is self.scope_of(call):
            self._qualname_cache[call] = found
        return found

    # --------------------------------------------------------------------------- node queries
    def nodes_of(self, kinds: Union[type, Tuple[type, ...]]) -> List[cst.CSTNode]:
        """Every node of the given exact type(s) in the file, in source order, from the single walk (no re-walk)."""
        if isinstance(kinds, type):
            return self._nodes_by_type.get(kinds, [])
        found = [node for kind in kinds for node in self._nodes_by_type.get(kind, [])]
        return sorted(found, key=self.order.__getitem__) if len(kinds) > 1 else found

    def descendants(self, node: cst.CSTNode, kinds: Union[type, Tuple[type, ...]]) -> List[cst.CSTNode]:
        """Nodes of the given exact type(s) inside ``node`` (itself included), in source order, by preorder range.

        Layout-only nodes (whitespace, commas...) are not indexed. Costs a bisection, not a walk.
        """
        start = self.order.get(node)
        if start is None:
            return []
        end = self.subtree_end.get(node, start)
        result: List[cst.CSTNode] = []
        for kind in (kinds,) if isinstance(kinds, type) else kinds:
            nodes = self._nodes_by_type.get(kind, [])
            orders = self._orders_of(kind)
            result.extend(nodes[bisect_left(orders, start) : bisect_right(orders, end)])
        if not isinstance(kinds, type) and len(kinds) > 1:
            result.sort(key=self.order.__getitem__)
        return result

    def contains(self, node: cst.CSTNode, kinds: Union[type, Tuple[type, ...]]) -> bool:
        return bool(self.descendants(node, kinds))

    def _orders_of(self, kind: type) -> List[int]:
        cache = self.__dict__.setdefault("_orders_cache", {})
        orders = cache.get(kind)
        if orders is None:
            orders = cache[kind] = [self.order[n] for n in self._nodes_by_type.get(kind, [])]
        return orders

    # ------------------------------------------------------------------------------- functions
    def resolve_function(self, func_expr: cst.BaseExpression, scope: Scope) -> Optional[FunctionInfo]:
        """The user-defined function or method a call expression targets (same file or project)."""
        key = (id(func_expr), id(scope))
        if key in self._function_cache:
            return self._function_cache[key]
        cycles_before = self._object_cycles
        found = self._resolve_function(func_expr, scope)
        if found is not None or self._object_cycles == cycles_before:  # as in object_of: no verdict from inside a cycle
            self._function_cache[key] = found
        return found

    def _resolve_function(self, func_expr: cst.BaseExpression, scope: Scope) -> Optional[FunctionInfo]:
        if isinstance(func_expr, cst.Name):
            binding = self.lookup(func_expr.value, scope, self.order.get(func_expr))
            if binding is None:
                return None
            if binding.kind == "def":
                return self.function_info.get(binding.node)  # type: ignore[arg-type]
            if binding.kind == "import" and binding.qualname and self.project is not None:
                found = self.project.lookup(binding.qualname, self)
                return found if isinstance(found, FunctionInfo) else None
            return None
        if isinstance(func_expr, cst.Attribute):
            owner_cls = self._self_class(func_expr.value, scope)
            if owner_cls is not None:
                return self.method_of(owner_cls, func_expr.attr.value)
            obj = self.object_of(func_expr.value, scope)
            if obj.cls is not None:
                return obj.cls.owner.method_of(obj.cls, func_expr.attr.value)
            qualname = self.qualname(func_expr, scope)
            if qualname and self.project is not None:
                found = self.project.lookup(qualname, self)
                return found if isinstance(found, FunctionInfo) else None
        return None

    def owner_of(self, func: FunctionInfo) -> Optional["SemanticModel"]:
        """The model of the file a function is defined in (this one, or another file of the project)."""
        if func.cls is not None:
            return func.cls.owner
        if func.scope.node in self.order:
            return self
        return self.project.model_of(func) if self.project is not None else None

    def method_of(self, cls: ClassInfo, name: str, _depth: int = 0) -> Optional[FunctionInfo]:
        if name in cls.methods:
            return cls.methods[name]
        if _depth > 5:
            return None
        for base in cls.owner.base_classes(cls):
            found = base.owner.method_of(base, name, _depth + 1)
            if found is not None:
                return found
        return None

    def base_classes(self, cls: ClassInfo) -> List[ClassInfo]:
        found: List[ClassInfo] = []
        for base in cls.bases:
            resolved = self.resolve_class(base, cls.scope.parent or self.module_scope)
            if resolved is not None:
                found.append(resolved)
        return found

    def resolve_class(self, expr: cst.BaseExpression, scope: Scope) -> Optional[ClassInfo]:
        """The user-defined class an expression names (same file or project)."""
        if isinstance(expr, cst.Name):
            binding = self.lookup(expr.value, scope)
            if binding is None:
                return None
            if binding.kind == "class":
                return self.class_info.get(binding.node)  # type: ignore[arg-type]
            if binding.kind == "import" and binding.qualname and self.project is not None:
                found = self.project.lookup(binding.qualname, self)
                return found if isinstance(found, ClassInfo) else None
            return None
        qualname = self.qualname(expr, scope)
        if qualname and self.project is not None:
            found = self.project.lookup(qualname, self)
            return found if isinstance(found, ClassInfo) else None
        return None

    def find_class(self, name: str) -> Optional[ClassInfo]:
        for cls in self.classes:
            if cls.name == name and self.parent.get(cls.node) is not None and cls.scope.parent is self.module_scope:
                return cls
        return None

    def find_function(self, name: str) -> Optional[FunctionInfo]:
        for func in self.functions:
            if func.name == name and func.outer is self.module_scope:
                return func
        return None

    def is_module_class(self, cls: ClassInfo, _depth: int = 0) -> bool:
        """Whether a class derives (through any number of user classes) from nn.Module or a LightningModule."""
        if _depth > 8:
            return False
        for base in cls.bases:
            qualname = cls.owner.qualname(base, cls.scope.parent or cls.owner.module_scope)
            if qualname in api.MODULE_BASES:
                return True
            resolved = cls.owner.resolve_class(base, cls.scope.parent or cls.owner.module_scope)
            if resolved is not None and resolved.owner.is_module_class(resolved, _depth + 1):
                return True
        return False

    @property
    def _callers(self) -> Dict[FunctionInfo, List[CallInfo]]:
        if self._callers_table is not None:
            return self._callers_table
        if self._callers_busy:
            # resolving a call needed the call sites of a parameter's function: a cycle; without this
            # guard the table was rebuilt recursively (exponential time, then RecursionError). Counted
            # as a cycle, so that nothing concluded from this partial answer is cached as final.
            self._object_cycles += 1
            return {}
        self._callers_busy = True
        try:
            self._callers_table = self._build_callers()
        finally:
            self._callers_busy = False
        return self._callers_table

    def _build_callers(self) -> Dict[FunctionInfo, List[CallInfo]]:
        # The table answers "who calls this file's function?": only a call whose callee ends in the name
        # of a function or class defined here can. The others (imports included: an imported name cannot
        # be defined here) are not resolved at all, which would parse other project files for nothing.
        reachable_names = {f.name for f in self.functions} | {c.name for c in self.classes}
        table: Dict[FunctionInfo, List[CallInfo]] = {}
        for call in self.calls:
            func = call.node.func
            last = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else None
            if last not in reachable_names:
                continue
            target = self.resolve_function(call.node.func, call.scope)
            if target is None:
                cls = self.resolve_class(call.node.func, call.scope)
                target = self.method_of(cls, "__init__") if cls is not None else None  # Trainer(model) -> __init__
            if target is not None:
                table.setdefault(target, []).append(call)
        return table

    def callers(self, func: FunctionInfo) -> List[CallInfo]:
        """Calls, in this file, of a function defined in this file."""
        return self._callers.get(func, [])

    def argument(self, call: cst.Call, position: Optional[int], keyword: Optional[str]) -> Optional[cst.BaseExpression]:
        """The expression passed for a parameter, by keyword or position (None if absent or after *args)."""
        positional = 0
        for arg in call.args:
            if arg.keyword is not None:
                if keyword is not None and arg.keyword.value == keyword:
                    return arg.value
                continue
            if arg.star:
                return None
            if position is not None and positional == position:
                return arg.value
            positional += 1
        return None

    def has_keyword(self, call: cst.Call, keyword: str) -> bool:
        return any(arg.keyword is not None and arg.keyword.value == keyword for arg in call.args)

    def arguments_for_param(self, func: FunctionInfo, param: str) -> List[Tuple[cst.BaseExpression, Scope]]:
        """Expressions passed for a parameter at every known call site of the function."""
        index = func.param_index(param)
        found: List[Tuple[cst.BaseExpression, Scope]] = []
        for call in self.callers(func):
            expr = self.argument(call.node, index, param)
            if expr is not None:
                found.append((expr, call.scope))
        return found

    # ----------------------------------------------------------------------------------- values
    def number(self, expr: Optional[cst.BaseExpression], scope: Optional[Scope] = None) -> Optional[float]:
        """A literal number an expression evaluates to, following module-level constants."""
        if expr is None:
            return None
        if isinstance(expr, (cst.Integer, cst.Float)):
            try:
                return float(expr.evaluated_value)
            except (ValueError, OverflowError):
                return None
        if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
            inner = self.number(expr.expression, scope)
            return -inner if inner is not None else None
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, (cst.Multiply, cst.Divide, cst.Power)):
            left, right = self.number(expr.left, scope), self.number(expr.right, scope)
            if left is None or right is None:
                return None
            try:
                if isinstance(expr.operator, cst.Multiply):
                    return left * right
                if isinstance(expr.operator, cst.Divide):
                    return left / right if right else None
                return left**right
            except (OverflowError, ZeroDivisionError):
                return None
        if isinstance(expr, cst.Name) and scope is not None:
            binding = self.lookup(expr.value, scope)
            if binding is not None and binding.scope.kind == "module" and binding.kind == "assign" and binding.index is None:
                if len(binding.scope.bindings.get(expr.value, [])) == 1:
                    return self.number(binding.value, binding.scope)
        return None

    def reaching_value(self, name: cst.Name, scope: Scope) -> Optional[Binding]:
        """The binding a name use reads (``lookup`` at the use's position)."""
        return self.lookup(name.value, scope, self.order.get(name))

    def object_of(self, expr: Optional[cst.BaseExpression], scope: Scope, _depth: int = 0) -> Obj:
        """What object an expression holds: follows names, ``self.attr``, wrappers and call sites."""
        if expr is None or _depth > _MAX_DEPTH:
            return UNKNOWN
        key = (id(expr), id(scope))
        cached = self._object_cache.get(key)
        if cached is not None:
            return cached
        if key in self._objects_in_progress:
            self._object_cycles += 1  # a cycle: unknown here, but the answer may be known once it unwinds
            return UNKNOWN
        self._objects_in_progress.add(key)
        cycles_before = self._object_cycles
        try:
            result = self._object_of(expr, scope, _depth)
        finally:
            self._objects_in_progress.discard(key)
        if result.kind != "unknown" or self._object_cycles == cycles_before:
            self._object_cache[key] = result  # an unknown reached through a cycle is not final: don't cache it
        return result

    def _object_of(self, expr: cst.BaseExpression, scope: Scope, depth: int) -> Obj:
        if isinstance(expr, cst.Name):
            binding = self.reaching_value(expr, scope)
            if binding is None:
                return UNKNOWN
            if binding.kind in ("assign", "annassign", "walrus", "with") and binding.index is None:
                return self.object_of(binding.value, binding.scope, depth + 1)
            if binding.kind == "param":
                func = binding.scope.function
                if func is None:
                    return UNKNOWN
                candidates = {id(o.node) if o.node is not None else None: o for o in (self.object_of(arg, arg_scope, depth + 1) for arg, arg_scope in self.arguments_for_param(func, binding.name)) if o.kind != "unknown"}
                if len(candidates) == 1:
                    return next(iter(candidates.values()))
                kinds = {o.kind for o in candidates.values()}
                if len(kinds) == 1 and candidates:
                    first = next(iter(candidates.values()))
                    return Obj(first.kind, first.qualname if len({o.qualname for o in candidates.values()}) == 1 else None, None, None, self, scope)
                return UNKNOWN
            if binding.kind == "class":
                return UNKNOWN
            return UNKNOWN
        if isinstance(expr, cst.Attribute):
            cls = self._self_class(expr.value, scope)
            if cls is not None:
                return self.attribute_object(cls, expr.attr.value, depth + 1)
            base = self.object_of(expr.value, scope, depth + 1)
            if base.kind == "loader" and expr.attr.value == "sampler" and isinstance(base.node, cst.Call):
                sampler = base.owner.argument(base.node, None, "sampler") if base.owner else None
                if sampler is not None and base.scope is not None and base.owner is not None:
                    return base.owner.object_of(sampler, base.scope, depth + 1)
            if base.kind == "model" and expr.attr.value == "module":
                return base  # DataParallel/DDP's .module is the wrapped model itself
            if base.kind in ("model", "instance") and base.cls is not None:
                return base.cls.owner.attribute_object(base.cls, expr.attr.value, depth + 1)
            return UNKNOWN
        if isinstance(expr, cst.Call):
            return self._object_of_call(expr, scope, depth)
        return UNKNOWN

    def _self_class(self, expr: cst.BaseExpression, scope: Scope) -> Optional[ClassInfo]:
        """The class of ``self`` when ``expr`` is the first parameter of a method."""
        func = scope.function
        if func is None or func.cls is None or not func.params:
            return None
        if isinstance(expr, cst.Name) and expr.value == func.params[0]:
            return func.cls
        return None

    def attribute_object(self, cls: ClassInfo, attr: str, depth: int = 0) -> Obj:
        """What ``self.<attr>`` holds in a class (its assignments in any method, or inherited)."""
        for candidate in [cls, *cls.owner.base_classes(cls)]:
            bindings = candidate.attributes.get(attr) or candidate.scope.bindings.get(attr)
            if bindings:
                for binding in reversed(bindings):
                    obj = candidate.owner.object_of(binding.value, binding.scope, depth + 1)
                    if obj.kind != "unknown":
                        return obj
                return UNKNOWN
        return UNKNOWN

    def _object_of_call(self, call: cst.Call, scope: Scope, depth: int) -> Obj:
        func = call.func
        # method calls that return their receiver (model.to(device), model.cuda(), loader wrappers)
        if isinstance(func, cst.Attribute) and func.attr.value in ("to", "cuda", "cpu", "float", "double", "half", "train", "eval", "requires_grad_", "type", "bfloat16", "module"):
            receiver = self.object_of(func.value, scope, depth + 1)
            if receiver.kind in ("model", "layer"):
                return receiver
        qualname = self.callee_qualname(call, scope)
        if qualname is not None:
            if qualname in api.MODEL_WRAPPERS or qualname.endswith("DistributedDataParallel"):
                inner = self.argument(call, 0, "module") or self.argument(call, 0, "model")
                wrapped = self.object_of(inner, scope, depth + 1)
                return wrapped if wrapped.kind != "unknown" else Obj("model", qualname, call, None, self, scope)
            kind = self._kind_of_api(qualname)
            if kind is not None:
                return Obj(kind, qualname, call, None, self, scope)
            if qualname == api.NN + "Sequential":
                return Obj("model", qualname, call, None, self, scope)
            if api.is_mode_dependent_architecture(qualname) or qualname.startswith("torchvision.models.") or _is_timm_model_factory(qualname):
                return Obj("model", qualname, call, None, self, scope)
        if isinstance(func, cst.Attribute) and func.attr.value in ("parameters", "named_parameters"):
            return UNKNOWN
        cls = self.resolve_class(func, scope)
        if cls is not None:
            kind = "model" if cls.owner.is_module_class(cls) else "instance"
            return Obj(kind, None, call, cls, cls.owner, scope)
        target = self.resolve_function(func, scope)
        if target is not None and depth < _MAX_DEPTH:
            owner = self.owner_of(target)
            if owner is not None:
                for ret in reversed(target.returns):
                    obj = owner.object_of(ret.value, target.scope, depth + 1)
                    if obj.kind != "unknown":
                        return obj
        return UNKNOWN

    @staticmethod
    def _kind_of_api(qualname: str) -> Optional[str]:
        if qualname in api.LOSS_CLASSES:
            return "loss"
        if qualname in api.OPTIMIZERS:
            return "optimizer"
        if api.is_scheduler(qualname):
            return "scheduler"
        if qualname in api.DATALOADERS:
            return "loader"
        if qualname in api.SAMPLERS:
            return "sampler"
        if qualname.startswith(api.NN) and qualname not in api.CONTAINER_CLASSES and qualname[len(api.NN):][:1].isupper() and "." not in qualname[len(api.NN):]:
            return "layer"
        return None

    def loss_kind(self, call: cst.Call, scope: Scope) -> Optional[Tuple[str, str]]:
        """(family, qualname) when a call computes a loss: ``criterion(out, y)`` or ``F.cross_entropy(out, y)``."""
        qualname = self.callee_qualname(call, scope)
        if qualname in api.LOSS_FUNCTIONS:
            return api.LOSS_FUNCTIONS[qualname], qualname
        if qualname in api.LOSS_CLASSES:
            return None  # constructing the loss, not computing it
        obj = self.object_of(call.func, scope)
        if obj.kind == "loss" and obj.qualname is not None:
            return api.LOSS_CLASSES[obj.qualname], obj.qualname
        return None

    # ----------------------------------------------------------------------------------- tails
    def tail_of(self, expr: Optional[cst.BaseExpression], scope: Scope, training: bool = True, _depth: int = 0) -> Tail:
        """What the tensor an expression holds passed through last (activation, layer, model output)."""
        if expr is None or _depth > _MAX_DEPTH:
            return UNKNOWN_TAIL
        if isinstance(expr, cst.Name):
            binding = self.reaching_value(expr, scope)
            if binding is None or binding.kind not in ("assign", "annassign", "walrus") or binding.index is not None:
                if binding is not None and binding.kind == "param" and binding.scope.function is not None:
                    tails = {t.kind: t for t in (self.tail_of(arg, s, training, _depth + 1) for arg, s in self.arguments_for_param(binding.scope.function, binding.name))}
                    if len(tails) == 1:
                        return next(iter(tails.values()))
                return UNKNOWN_TAIL
            return self.tail_of(binding.value, binding.scope, training, _depth + 1)
        if isinstance(expr, cst.Call):
            return self._tail_of_call(expr, scope, training, _depth)
        return UNKNOWN_TAIL

    def _tail_of_call(self, call: cst.Call, scope: Scope, training: bool, depth: int) -> Tail:
        func = call.func
        qualname = self.callee_qualname(call, scope)
        if qualname is not None:
            if qualname in api.ACTIVATION_FUNCTIONS:
                return Tail(api.ACTIVATION_FUNCTIONS[qualname], call, self)
            if qualname in api.PASS_THROUGH_FUNCTIONS:
                return self.tail_of(self.argument(call, 0, "input"), scope, training, depth + 1)
        if isinstance(func, cst.Attribute) and qualname is None:
            method = func.attr.value
            if method in api.ACTIVATION_METHODS:
                receiver_obj = self.object_of(func.value, scope)
                if receiver_obj.kind == "unknown":
                    return Tail(api.ACTIVATION_METHODS[method], call, self)
            if method in api.PASS_THROUGH_METHODS:
                receiver_obj = self.object_of(func.value, scope)
                if receiver_obj.kind == "unknown":
                    return self.tail_of(func.value, scope, training, depth + 1)
        obj = self.object_of(func, scope)
        if obj.kind in ("model", "layer"):
            tail = self.output_tail(obj, training, depth + 1)
            if obj.kind == "model" and tail.via_model is None:
                return Tail(tail.kind, tail.node, tail.owner, obj, tail.layer_qualname)
            return tail
        target = self.resolve_function(func, scope)
        if target is not None:
            owner = self.owner_of(target)
            if owner is not None:
                return owner.function_tail(target, training, depth + 1)
        return UNKNOWN_TAIL

    def output_tail(self, obj: Obj, training: bool = True, depth: int = 0) -> Tail:
        """What a module object's output passes through last."""
        if depth > _MAX_DEPTH:
            return UNKNOWN_TAIL
        owner = obj.owner or self
        if obj.cls is not None:
            forward = owner.method_of(obj.cls, "forward")
            if forward is None:
                return Tail("model", None, owner, obj)
            forward_owner = forward.cls.owner if forward.cls is not None else owner
            return forward_owner.function_tail(forward, training, depth + 1)
        if obj.qualname in api.ACTIVATION_CLASSES:
            return Tail(api.ACTIVATION_CLASSES[obj.qualname], obj.node, owner, None, obj.qualname)
        if obj.qualname in _LINEAR_LAYERS:
            return Tail("linear", obj.node, owner, None, obj.qualname)
        if obj.qualname == api.NN + "Sequential" and isinstance(obj.node, cst.Call) and obj.scope is not None:
            elements = [arg.value for arg in obj.node.args if arg.keyword is None and not arg.star]
            if len(elements) == 1 and isinstance(elements[0], cst.Call) and owner.callee_qualname(elements[0], obj.scope) in ("collections.OrderedDict",):
                elements = _ordered_dict_values(elements[0])
            for element in reversed(elements):
                element_obj = owner.object_of(element, obj.scope, depth + 1)
                if element_obj.kind == "unknown":
                    return UNKNOWN_TAIL
                tail = owner.output_tail(element_obj, training, depth + 1)
                if tail.kind == "identity":
                    continue
                return tail
            return UNKNOWN_TAIL
        if obj.kind == "model":
            return Tail("model", obj.node, owner, obj)
        return UNKNOWN_TAIL

    def function_tail(self, func: FunctionInfo, training: bool = True, depth: int = 0) -> Tail:
        """The tail shared by every return of a function on the training (or evaluation) path."""
        tails: List[Tail] = []
        for ret in func.returns:
            if not self._return_reachable(ret, func, training):
                continue
            value = ret.value
            if isinstance(value, cst.Tuple):
                value = value.elements[0].value if value.elements else None
            tails.append(self.tail_of(value, func.scope, training, depth + 1))
        kinds = {t.kind for t in tails}
        if len(kinds) == 1:
            return tails[0]
        return UNKNOWN_TAIL

    def _return_reachable(self, ret: cst.Return, func: FunctionInfo, training: bool) -> bool:
        """False for a return guarded by ``if not self.training`` (on the training path) or vice versa."""
        child: cst.CSTNode = ret
        for ancestor in self.ancestors(ret):
            if ancestor is func.node:
                break
            if isinstance(ancestor, cst.If):
                polarity = _training_test(ancestor.test)
                if polarity is not None:
                    in_body = child is ancestor.body
                    taken_when_training = polarity if in_body else not polarity
                    if taken_when_training != training:
                        return False
            child = ancestor
        return True

    # ----------------------------------------------------------------------------- module contents
    def layers_of(self, obj: Obj, depth: int = 0) -> List[Obj]:
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
            forward = owner.method_of(obj.cls, "forward")
            if forward is not None:
                fowner = forward.cls.owner if forward.cls else owner
                for call in forward.calls:
                    qualname = fowner.callee_qualname(call.node, call.scope)
                    if qualname and qualname.startswith("torch.nn.functional.") and "dropout" in qualname:
                        found.append(Obj("layer", qualname, call.node, None, fowner, call.scope))
        elif obj.qualname in (api.NN + "Sequential", api.NN + "ModuleList") and isinstance(obj.node, cst.Call) and obj.scope is not None:
            for arg in obj.node.args:
                found.extend(owner._layers_in_expr(arg.value, obj.scope, depth))
        elif obj.kind == "layer":
            found.append(obj)
        return found

    def _layers_in_expr(self, expr: Optional[cst.BaseExpression], scope: Scope, depth: int) -> List[Obj]:
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
                for value in _ordered_dict_values(expr):
                    found.extend(self._layers_in_expr(value, scope, depth))
                return found
            if qualname in (api.NN + "ModuleList", api.NN + "Sequential") :
                for arg in expr.args:
                    found.extend(self._layers_in_expr(arg.value, scope, depth))
                return found
        obj = self.object_of(expr, scope)
        if obj.kind == "layer":
            return [obj]
        if obj.kind == "model":
            if obj.cls is None and obj.qualname is not None and obj.qualname != api.NN + "Sequential":
                return [obj]
            return self.layers_of(obj, depth + 1)
        return found

    def has_mode_dependent_layers(self, obj: Obj) -> Optional[bool]:
        """True when a model has Dropout/BatchNorm (train/eval mode changes its output), None if unknown."""
        if obj.kind != "model":
            return None
        if obj.cls is None and obj.qualname is not None and obj.qualname != api.NN + "Sequential":
            return True if api.is_mode_dependent_architecture(obj.qualname) else None
        layers = self.layers_of(obj)
        for layer in layers:
            if layer.qualname in api.DROPOUT_CLASSES or layer.qualname in api.BATCHNORM_CLASSES:
                return True
            if layer.qualname and "dropout" in layer.qualname and "functional" in layer.qualname:
                return True
            if layer.kind == "model" and layer.qualname and api.is_mode_dependent_architecture(layer.qualname):
                return True
        return False

    # ------------------------------------------------------------------------------ loop semantics
    def is_backward_call(self, call: CallInfo) -> bool:
        return call.method_name in ("backward", "manual_backward") or self.callee_qualname(call.node, call.scope) == "torch.autograd.backward"

    def optimizer_step_target(self, call: CallInfo) -> Optional[cst.BaseExpression]:
        """The optimizer expression when a call steps one (``opt.step()``, ``scaler.step(opt)``)."""
        if call.method_name != "step" or call.receiver is None:
            return None
        receiver_obj = self.object_of(call.receiver, call.scope)
        if receiver_obj.kind == "optimizer":
            return call.receiver
        if receiver_obj.kind == "scheduler":
            return None
        if call.node.args:
            first = call.node.args[0].value
            if self.object_of(first, call.scope).kind == "optimizer" or _looks_like(first, "opt"):
                return first  # GradScaler.step(optimizer)
        if receiver_obj.kind == "unknown" and _looks_like(call.receiver, "opt") and not _looks_like(call.receiver, "sched"):
            return call.receiver
        return None

    def is_scheduler_step(self, call: CallInfo) -> bool:
        if call.method_name != "step" or call.receiver is None:
            return False
        receiver_obj = self.object_of(call.receiver, call.scope)
        if receiver_obj.kind == "scheduler":
            return True
        return receiver_obj.kind == "unknown" and _looks_like(call.receiver, "sched")

    def reachable_calls(self, calls: Iterable[CallInfo], depth: int = 3) -> List[CallInfo]:
        """Calls plus the calls inside user functions they call, transitively (``train_one_epoch``...)."""
        result = list(calls)
        seen: Set[FunctionInfo] = set()
        frontier = list(result)
        for _ in range(depth):
            next_frontier: List[CallInfo] = []
            for call in frontier:
                target = self.resolve_function(call.node.func, call.scope)
                if target is None or target in seen or target.name == "forward":
                    continue
                if target.scope.node not in self.order:
                    continue  # other files: their calls are not this model's CallInfos
                seen.add(target)
                next_frontier.extend(target.calls)
            result.extend(next_frontier)
            frontier = next_frontier
        return result

    def loop_does(self, loop: LoopInfo, what: str) -> bool:
        """Whether a loop (through the functions it calls) does 'backward', 'step' or 'zero_grad'."""
        if not self._file_calls_any(_CALL_NAMES_FOR[what]):
            return False  # nothing in this file can do it: no need to resolve a single call
        reachable = self._reachable_cache.get(id(loop))
        if reachable is None:
            reachable = self._reachable_cache[id(loop)] = self.reachable_calls(loop.calls)
        return any(self._call_does(call, what) for call in reachable)

    def _call_does(self, call: CallInfo, what: str) -> bool:
        if what == "backward":
            return self.is_backward_call(call)
        if what == "step":
            return self.optimizer_step_target(call) is not None
        if what == "zero_grad":
            return call.method_name == "zero_grad"
        raise ValueError(what)

    @cached_property
    def _called_names(self) -> Set[str]:
        """Last component of every callee in the file (``opt.step()`` -> ``step``, ``backward(l)`` -> ``backward``)."""
        names: Set[str] = set()
        for call in self.calls:
            func = call.node.func
            if isinstance(func, cst.Attribute):
                names.add(func.attr.value)
            elif isinstance(func, cst.Name):
                names.add(func.value)
        return names

    def _file_calls_any(self, names: Tuple[str, ...]) -> bool:
        return any(name in self._called_names for name in names)

    def is_training_loop(self, loop: LoopInfo) -> bool:
        return self.loop_does(loop, "backward") or self.loop_does(loop, "step")

    @cached_property
    def training_loops(self) -> List[LoopInfo]:
        return [loop for loop in self.loops if self.is_training_loop(loop)]

    def is_no_grad_with(self, with_node: cst.With, scope: Scope, _depth: int = 0) -> bool:
        for item in with_node.items:
            expr = item.item
            target = expr.func if isinstance(expr, cst.Call) else expr
            qualname = self.qualname(target, scope)
            if qualname in api.NO_GRAD_CONTEXTS:
                return True
            if isinstance(expr, cst.Call) and _depth < 3 and self._context_manager_disables_grad(expr, scope, _depth):
                return True
            if qualname == "torch.set_grad_enabled" and isinstance(expr, cst.Call):
                value = self.argument(expr, 0, "mode")
                if isinstance(value, cst.Name) and value.value == "False":
                    return True
        return False

    def _context_manager_disables_grad(self, call: cst.Call, scope: Scope, depth: int) -> bool:
        """A ``@contextmanager`` helper of this file whose ``yield`` sits inside a no_grad block."""
        helper = self.resolve_function(call.func, scope)
        if helper is None or helper.scope.node not in self.order:
            return False
        for node in self.descendants(helper.node, cst.Yield):
            if self.function_of(node) is helper:
                return any(
                    isinstance(a, cst.With) and self.is_no_grad_with(a, helper.scope, depth + 1)
                    for a in self.ancestors(node)
                    if self.function_of(a) is helper or a is helper.node
                )
        return False

    def function_is_no_grad(self, func: FunctionInfo) -> bool:
        for decorator in func.node.decorators:
            expr = decorator.decorator
            target = expr.func if isinstance(expr, cst.Call) else expr
            if self.qualname(target, func.outer) in api.NO_GRAD_CONTEXTS:
                return True
        return False

    def in_no_grad(self, call: CallInfo, _depth: int = 0) -> bool:
        """Whether a call runs with gradients disabled: a no_grad block, a decorated function, or only called from such."""
        if any(self.is_no_grad_with(w, call.scope) for w in call.withs):
            return True
        func = call.function
        if func is None:
            return False
        if self.function_is_no_grad(func):
            return True
        if _depth > 3:
            return False
        callers = self.callers(func)
        return bool(callers) and all(self.in_no_grad(c, _depth + 1) for c in callers)


def _is_timm_model_factory(qualname: str) -> bool:
    """``timm.create_model``/``timm.models.*`` build models; timm.optim, timm.scheduler, timm.data... do not."""
    return qualname == "timm.create_model" or qualname.startswith("timm.models.")


_CALL_NAMES_FOR: Dict[str, Tuple[str, ...]] = {
    "backward": ("backward", "manual_backward"),
    "step": ("step",),
    "zero_grad": ("zero_grad",),
}


def _looks_like(expr: cst.BaseExpression, fragment: str) -> bool:
    dotted = dotted_name(expr)
    if dotted is None:
        return False
    return fragment in dotted.split(".")[-1].lower()


def _training_test(test: cst.BaseExpression) -> Optional[bool]:
    """True for ``self.training``, False for ``not self.training``, None for anything else."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = _training_test(test.expression)
        return None if inner is None else not inner
    if isinstance(test, cst.Attribute) and test.attr.value == "training":
        return True
    return None


def _ordered_dict_values(call: cst.Call) -> List[cst.BaseExpression]:
    values: List[cst.BaseExpression] = []
    if call.args and isinstance(call.args[0].value, (cst.List, cst.Tuple)):
        for element in call.args[0].value.elements:
            if isinstance(element.value, cst.Tuple) and len(element.value.elements) == 2:
                values.append(element.value.elements[1].value)
    return values
