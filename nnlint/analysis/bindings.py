"""Calls and their bindings: who calls a function, what each call passes for a parameter, literal values.

A part of :class:`~nnlint.analysis.model.SemanticModel` (which combines the parts); read through it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

import libcst as cst

from nnlint.analysis.registry_uses import registry_arguments
from nnlint.analysis.symbols import (
    Binding,
    ClassInfo,
    CallInfo,
    FunctionInfo,
    Scope,
)

if TYPE_CHECKING:
    from nnlint.analysis.model import SemanticModel


class CallBindings:
    _callers_table: Optional[Dict[FunctionInfo, List[CallInfo]]]  # set by SemanticModel
    _callers_busy: bool
    _object_cycles: int

    @property
    def _callers(self: "SemanticModel") -> Dict[FunctionInfo, List[CallInfo]]:
        if self._callers_table is not None:
            return self._callers_table
        if self._callers_busy:
            # resolving a call needed the call sites of a parameter's function: a cycle; without this
            # guard the table was rebuilt recursively (exponential time, then RecursionError). Counted
            # as a cycle, so that nothing concluded from this partial answer is cached as final.
            self._object_cycles += 1
            return {}
        self._callers_busy = True
        cycles_before = self._object_cycles
        try:
            self._callers_table = self._build_callers()
        finally:
            self._callers_busy = False
            # The table is final once built: cycles met inside the build (a call site that needed the table
            # itself) kept their own partial answers out of the caches, and must not taint the caller's.
            self._object_cycles = cycles_before
        return self._callers_table

    def _build_callers(self: "SemanticModel") -> Dict[FunctionInfo, List[CallInfo]]:
        # The table answers "who calls this file's function?": only a call whose callee ends in the name
        # of a function or class defined here can. The others (imports included: an imported name cannot
        # be defined here) are not resolved at all, which would parse other project files for nothing.
        reachable_names = {f.name for f in self.functions} | {c.name for c in self.classes}
        for klass in self.classes:  # `self.neg_loss = _neg_loss`, called as `self.neg_loss(out, target)`
            for attr, bindings in klass.attributes.items():
                if any(isinstance(b.value, cst.Name) and b.value.value in reachable_names for b in bindings):
                    reachable_names.add(attr)
        table: Dict[FunctionInfo, List[CallInfo]] = {}
        for call in self.calls:
            func = call.node.func
            last = (
                func.attr.value
                if isinstance(func, cst.Attribute)
                else func.value
                if isinstance(func, cst.Name)
                else None
            )
            if last not in reachable_names:
                continue
            target = self.resolve_function(call.node.func, call.scope)
            if target is None:
                cls = self.resolve_class(call.node.func, call.scope)
                target = self.method_of(cls, "__init__") if cls is not None else None  # Trainer(model) -> __init__
            if target is not None:
                table.setdefault(target, []).append(call)
        return table

    def calls_named(self: "SemanticModel", *names: str) -> List[CallInfo]:
        """Calls whose callee's last name is one of ``names`` (``x.append(...)``, ``append(...)``), in order."""
        index = self.__dict__.get("_calls_by_name")
        if index is None:
            index = self.__dict__["_calls_by_name"] = {}
            for call in self.calls:
                func = call.node.func
                last = (
                    func.attr.value
                    if isinstance(func, cst.Attribute)
                    else func.value
                    if isinstance(func, cst.Name)
                    else None
                )
                if last is not None:
                    index.setdefault(last, []).append(call)
        if len(names) == 1:
            return index.get(names[0], [])
        return sorted((call for name in names for call in index.get(name, [])), key=lambda call: call.order)

    def callers(self: "SemanticModel", func: FunctionInfo) -> List[CallInfo]:
        """Calls, in this file, of a function defined in this file."""
        return self._callers.get(func, [])

    def foreign_callers(self: "SemanticModel", func: FunctionInfo) -> List[Tuple["SemanticModel", CallInfo]]:
        """Calls of a function of this file made in other files of the project (``train.fit(model, ...)`` in
        main.py)."""
        table = self.__dict__.setdefault("_foreign_callers", {})
        if func in table:
            found_before = table[func]
            if found_before is None:  # the search reached this function again (mutual imports): a cycle
                self._object_cycles += 1
                return []
            return found_before
        if self.project is None:
            return []
        table[func] = None
        found: List[Tuple["SemanticModel", CallInfo]] = []
        try:
            found = self._find_foreign_callers(func)
        finally:
            table[func] = found
        return found

    def _find_foreign_callers(self: "SemanticModel", func: FunctionInfo) -> List[Tuple["SemanticModel", CallInfo]]:
        assert self.project is not None
        is_constructor = func.name == "__init__" and func.cls is not None
        name = func.cls.name if is_constructor and func.cls is not None else func.name
        found: List[Tuple["SemanticModel", CallInfo]] = []
        for other in self.project.files_that_may_call(name, self):
            for call in other.calls_named(name):
                target = other.resolve_function(call.node.func, call.scope)
                if target is None and is_constructor:
                    cls = other.resolve_class(call.node.func, call.scope)
                    target = other.method_of(cls, "__init__") if cls is not None else None
                if target is func:
                    found.append((other, call))
        return found

    @property
    def trains_or_evaluates(self: "SemanticModel") -> bool:
        """Whether this file calls backward() or switches a model to eval mode: where the objects its
        functions are given matter enough to look for them in the other files of the project."""
        cached = self.__dict__.get("_trains_or_evaluates")
        if cached is None:
            cached = self.__dict__["_trains_or_evaluates"] = any(
                call.method_name in ("backward", "manual_backward")
                or (call.method_name == "eval" and not call.node.args)
                for call in self.calls
            )
        return cached

    def passed_arguments(
        self: "SemanticModel", func: FunctionInfo, param: str
    ) -> List[Tuple[cst.BaseExpression, Scope, "SemanticModel"]]:
        """(expression, scope, model of its file) passed for a parameter at every known call site, this file's and
        the project's; the others only when this file has no call of the function (a library module's callers),
        and the calls by name that may reach it where no call names it (``getattr(importlib.import_module(m),
        name)(criterion=c)``, :mod:`~nnlint.analysis.dynamic_calls`)."""
        from nnlint.analysis.dynamic_calls import builds_by_name, dynamic_arguments

        index = func.param_index(param)
        found = [(expr, scope, self) for expr, scope in self.arguments_for_param(func, param)]
        if found or self.callers(func):
            return found
        if func.name == "forward" and func.cls is not None and func.cls.owner is self and not _wraps_loss(self, func):
            # `self.focal_loss(out, target)` of `self.focal_loss = FocalLoss()`: a module's call runs its forward
            for call in self.module_calls_of(func.cls):
                expr = self.argument(call.node, index, param)
                if expr is not None:
                    found.append((expr, call.scope, self))
            if found:
                return found
        if func.cls is not None and func.cls.node.decorators:  # `self.heads.loss(out, batch)`, heads built by name
            found = registry_arguments(self, func, param)
        if found:
            return found
        foreign = self.foreign_callers(func) if self.trains_or_evaluates or builds_by_name(self) else []
        for other, call in foreign:
            expr = other.argument(call.node, index, param)
            if expr is not None:
                found.append((expr, call.scope, other))
        if not foreign:  # built by name only (`getattr(importlib.import_module(m), name)(criterion=c)`)?
            found = dynamic_arguments(self, func, param)
        return found

    def module_calls_of(self: "SemanticModel", cls: ClassInfo) -> List[CallInfo]:
        """Calls, in this file, of instances of a module class of this file (``self.focal_loss(out, target)``)."""
        table = self.cached_analysis("module-calls", lambda: self._module_calls())
        return table.get(id(cls.node), [])

    def _module_calls(self: "SemanticModel") -> Dict[int, List[CallInfo]]:
        modules = {cls.name for cls in self.classes}
        if not modules:
            return {}
        table: Dict[int, List[CallInfo]] = {}
        for call in self.calls:
            func = call.node.func
            if not isinstance(func, (cst.Name, cst.Attribute)) or call.method_name in ("forward", "__call__"):
                continue
            if isinstance(func, cst.Name) and func.value in modules:
                continue  # the class itself: a construction
            obj = self.object_of(func, call.scope)
            if obj.cls is not None and obj.cls.owner is self and obj.kind in ("model", "loss", "layer"):
                table.setdefault(id(obj.cls.node), []).append(call)
        return table

    def values_with_default(
        self: "SemanticModel", func: FunctionInfo, param: str
    ) -> List[Tuple[cst.BaseExpression, Scope, "SemanticModel"]]:
        """What a parameter built by default in the signature (``loss=nn.CrossEntropyLoss()``) may hold: the
        expressions its known calls pass (this file's and the project's), and the default where a call omits
        it or no call is known. Empty when a call may pass it through ``*args``/``**kwargs``."""
        binding = next((b for b in func.scope.bindings.get(param, []) if b.kind == "param"), None)
        if binding is None or binding.value is None:
            return []
        index = func.param_index(param)
        found: List[Tuple[cst.BaseExpression, Scope, "SemanticModel"]] = []
        omitted = False
        calls = [(self, call) for call in self.callers(func)] + list(self.foreign_callers(func))
        for owner, call in calls:
            if any(arg.star for arg in call.node.args):
                return []
            expr = owner.argument(call.node, index, param)
            if expr is None:
                omitted = True
            else:
                found.append((expr, call.scope, owner))
        if omitted or not calls:
            found.append((binding.value, func.outer, self))
        return found

    def argument(
        self: "SemanticModel", call: cst.Call, position: Optional[int], keyword: Optional[str]
    ) -> Optional[cst.BaseExpression]:
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

    def has_keyword(self: "SemanticModel", call: cst.Call, keyword: str) -> bool:
        return any(arg.keyword is not None and arg.keyword.value == keyword for arg in call.args)

    def arguments_for_param(
        self: "SemanticModel", func: FunctionInfo, param: str
    ) -> List[Tuple[cst.BaseExpression, Scope]]:
        """Expressions passed for a parameter at every known call site of the function."""
        index = func.param_index(param)
        found: List[Tuple[cst.BaseExpression, Scope]] = []
        for call in self.callers(func):
            expr = self.argument(call.node, index, param)
            if expr is not None:
                found.append((expr, call.scope))
        return found

    def number(
        self: "SemanticModel", expr: Optional[cst.BaseExpression], scope: Optional[Scope] = None
    ) -> Optional[float]:
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
            if (
                binding is not None
                and binding.scope.kind == "module"
                and binding.kind == "assign"
                and binding.index is None
            ):
                if len(binding.scope.bindings.get(expr.value, [])) == 1:
                    return self.number(binding.value, binding.scope)
        return None

    def reaching_value(self: "SemanticModel", name: cst.Name, scope: Scope) -> Optional[Binding]:
        """The binding a name use reads (``lookup`` at the use's position)."""
        return self.lookup(name.value, scope, self.order.get(name))


def _wraps_loss(model: "SemanticModel", func: FunctionInfo) -> bool:
    from nnlint.analysis.loss_wrappers import wraps_library_loss  # built on the model's public API

    return wraps_library_loss(model, func)
