"""The single walk over a file's libcst tree that fills a :class:`~nnlint.analysis.model.SemanticModel`'s
tables: scopes and bindings, functions, classes, calls with the loops and ``with`` blocks around them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, FrozenSet, List, Optional, Tuple, Union

import libcst as cst

from nnlint.analysis.imports import import_bindings, star_import_module
from nnlint.analysis.item_tails import unpacked_item
from nnlint.analysis.symbols import Binding, CallInfo, ClassInfo, FunctionInfo, LoopInfo, Scope
from nnlint.analysis.walk import _LEAVE, CHILD_FIELDS, LAYOUT_TYPES, VALUE_KINDS, child_fields

if TYPE_CHECKING:
    from nnlint.analysis.model import SemanticModel


class ModelBuilder(cst.CSTVisitor):
    """The single walk: fills a SemanticModel's tables."""

    def __init__(self, model: "SemanticModel") -> None:
        super().__init__()
        self.m = model
        self.scopes: List[Scope] = [model.module_scope]
        self.functions: List[Optional[FunctionInfo]] = [None]
        self.classes: List[Optional[ClassInfo]] = [None]
        self.loops: List[List[LoopInfo]] = [[]]
        self.withs: List[List[cst.With]] = [[]]
        self.counter = 0

    # the walk ----------------------------------------------------------------------------------
    def build(self, root: cst.CSTNode, skip: FrozenSet[type] = LAYOUT_TYPES) -> None:
        """Fill the model's tables in one preorder walk of ``root`` (nodes of a type in ``skip`` and their
        subtrees left out): :func:`nnlint.analysis.walk.walk` with the table-filling callbacks inlined,
        which visits the same nodes in the same order (tests/perf/test_identity_and_build.py checks it);
        the per-node work is the model's first cost after the parse, so the loop keeps everything it
        touches in locals, and the children loop is written out here rather than called."""
        m = self.m
        order, parent, subtree_end, by_type = m.order, m.parent, m.subtree_end, m._nodes_by_type
        handlers, leavers = ENTER_CALLBACKS, LEAVE_CALLBACKS
        kinds, fields_of = VALUE_KINDS, CHILD_FIELDS
        counter = self.counter
        stack: List[object] = [root]  # a node to visit, or _LEAVE above the node whose subtree is done
        push, pop = stack.append, stack.pop
        leave_marker = _LEAVE
        while stack:
            node = pop()
            if node is leave_marker:
                node = pop()
                leaver = leavers.get(type(node))
                if leaver is not None:
                    leaver(self, node)
                subtree_end[node] = counter  # type: ignore[index]
                continue
            cls = type(node)
            counter += 1
            order[node] = counter  # type: ignore[index]
            nodes = by_type.get(cls)
            if nodes is None:
                nodes = by_type[cls] = []
            nodes.append(node)  # type: ignore[arg-type]
            handler = handlers.get(cls)
            if handler is not None:
                self.counter = counter  # the handlers number their bindings, loops and calls with it
                handler(self, node)
            fields = fields_of.get(cls)
            if fields is None:
                fields = child_fields(cls)
            pending: List[cst.CSTNode] = []
            for name in fields:
                value = getattr(node, name)
                value_type = type(value)
                kind = kinds[value_type]
                if kind == 1:
                    if value_type not in skip:
                        pending.append(value)
                elif kind == 2 and value:
                    for item in value:
                        item_type = type(item)
                        if kinds[item_type] == 1 and item_type not in skip:
                            pending.append(item)
            if not pending:  # a leaf: left at once
                leaver = leavers.get(cls)
                if leaver is not None:
                    leaver(self, node)
                subtree_end[node] = counter  # type: ignore[index]
                continue
            for child in pending:
                parent[child] = node  # type: ignore[assignment]
            push(node)
            push(leave_marker)
            pending.reverse()
            stack.extend(pending)
        self.counter = counter

    # helpers -----------------------------------------------------------------------------------
    @property
    def scope(self) -> Scope:
        return self.scopes[-1]

    def _bind(
        self, name: str, kind: str, node: cst.CSTNode, value: Optional[cst.BaseExpression], **extra: object
    ) -> None:
        self.scope.add(Binding(name, kind, node, value, self.counter, self.scope, **extra))  # type: ignore[arg-type]

    def _bind_target(
        self,
        target: cst.BaseExpression,
        kind: str,
        node: cst.CSTNode,
        value: Optional[cst.BaseExpression],
        index: Tuple[int, ...] = (),
    ) -> None:
        if isinstance(target, cst.Name):
            self._bind(
                target.value,
                kind if not index else ("unpack" if kind == "assign" else kind),
                node,
                value,
                index=index or None,
            )
        elif isinstance(target, (cst.Tuple, cst.List)):
            for position, element in enumerate(target.elements):
                inner = element.value
                if isinstance(element, cst.StarredElement):
                    continue
                self._bind_target(inner, kind, node, value, index + (position,))
        elif isinstance(target, cst.Attribute):
            if index:
                # `self.model, self.criterion = model, criterion`: each attribute gets its item of a literal tuple
                value = unpacked_item(value, index)
                if value is None:
                    return
            cls = self.classes[-1]
            func = self.functions[-1]
            if (
                cls is not None
                and func is not None
                and func.cls is cls
                and isinstance(target.value, cst.Name)
                and target.value.value == func.instance_param
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
        if isinstance(node, cst.ImportFrom) and self.scope.kind == "module":
            star = star_import_module(node, self.m.module_name, self.m.is_package)
            if star is not None:
                self.m.star_imports.append((star, node, self.counter))

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


# the walk's callbacks by node type, plain functions: bound methods kept in the builder would make it a
# reference cycle holding the model until a full garbage collection
ENTER_CALLBACKS: Dict[type, Callable[[ModelBuilder, Any], None]] = {
    cst.FunctionDef: ModelBuilder._enter_function,
    cst.ClassDef: ModelBuilder._enter_class,
    cst.Assign: ModelBuilder._assign,
    cst.AnnAssign: ModelBuilder._ann_assign,
    cst.AugAssign: ModelBuilder._aug_assign,
    cst.For: ModelBuilder._for,
    cst.While: ModelBuilder._while,
    cst.With: ModelBuilder._with,
    cst.Import: ModelBuilder._import,
    cst.ImportFrom: ModelBuilder._import,
    cst.NamedExpr: ModelBuilder._walrus,
    cst.Call: ModelBuilder._call,
    cst.Return: ModelBuilder._return,
}
LEAVE_CALLBACKS: Dict[type, Callable[[ModelBuilder, Any], None]] = {
    cst.FunctionDef: ModelBuilder._leave_function,
    cst.ClassDef: ModelBuilder._leave_class,
    cst.For: ModelBuilder._leave_loop,
    cst.While: ModelBuilder._leave_loop,
    cst.With: ModelBuilder._leave_with,
}
