"""What loops and calls do: backward, optimizer and scheduler steps, clearing gradients, disabled gradients.

A part of :class:`~nnlint.analysis.model.SemanticModel` (which combines the parts); read through it.
"""

from __future__ import annotations

import re

from functools import cached_property
from typing import TYPE_CHECKING, Dict, Iterable, List, Optional, Set, Tuple

import libcst as cst

from nnlint.analysis import torch_api as api
from nnlint.analysis.imports import dotted_name
from nnlint.analysis.symbols import (
    CallInfo,
    FunctionInfo,
    LoopInfo,
    Scope,
)

if TYPE_CHECKING:
    from nnlint.analysis.model import SemanticModel


class LoopSemantics:
    def is_backward_call(self: "SemanticModel", call: CallInfo) -> bool:
        return (
            call.method_name in ("backward", "manual_backward")
            or self.callee_qualname(call.node, call.scope) == "torch.autograd.backward"
        )

    def optimizer_step_target(self: "SemanticModel", call: CallInfo) -> Optional[cst.BaseExpression]:
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
        if (
            receiver_obj.kind == "unknown"
            and _looks_like(call.receiver, "opt")
            and not _looks_like(call.receiver, "sched")
        ):
            return call.receiver
        return None

    def is_scheduler_step(self: "SemanticModel", call: CallInfo) -> bool:
        if call.method_name != "step" or call.receiver is None:
            return False
        receiver_obj = self.object_of(call.receiver, call.scope)
        if receiver_obj.kind == "scheduler":
            return True
        return receiver_obj.kind == "unknown" and _looks_like(call.receiver, "sched")

    def reachable_calls(self: "SemanticModel", calls: Iterable[CallInfo], depth: int = 3) -> List[CallInfo]:
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

    def loop_does(self: "SemanticModel", loop: LoopInfo, what: str) -> bool:
        """Whether a loop (through the functions it calls, in this file or another) does 'backward',
        'step' or 'zero_grad'."""
        if not self._file_calls_any(_CALL_NAMES_FOR[what]) and not self._imports_project_code:
            return False  # nothing in this file can do it: no need to resolve a single call
        reachable = self._reachable_cache.get(id(loop))
        if reachable is None:
            reachable = self._reachable_cache[id(loop)] = self.reachable_calls(loop.calls)
        return any(self._call_does(call, what) for call in reachable) or self._foreign_does(reachable, what, 2)

    def function_does(self: "SemanticModel", func: FunctionInfo, what: str, depth: int = 2) -> bool:
        """Whether calling a function of this file does 'backward', 'step' or 'zero_grad' (helpers included)."""
        cache: Dict[Tuple[int, str], bool] = self.__dict__.setdefault("_function_does", {})
        key = (id(func), what)
        if key not in cache:
            cache[key] = False  # recursion: the call being asked about does not prove itself
            reachable = self.reachable_calls(func.calls)
            cache[key] = any(self._call_does(call, what) for call in reachable) or self._foreign_does(
                reachable, what, depth
            )
        return cache[key]

    def _foreign_does(self: "SemanticModel", calls: Iterable[CallInfo], what: str, depth: int) -> bool:
        """Some call runs a function of another project file that does it (a loss scaler's ``__call__``)."""
        if depth <= 0 or self.project is None:
            return False
        for call in calls:
            target = self.resolve_function(call.node.func, call.scope)
            if target is None or target.scope.node in self.order or target.name == "forward":
                continue
            owner = self.owner_of(target)
            if owner is not None and owner is not self and owner.function_does(target, what, depth - 1):
                return True
        return False

    @cached_property
    def _imports_project_code(self: "SemanticModel") -> bool:
        """The file imports a function or class from another file of the project."""
        if self.project is None:
            return False
        for binding in (b for bindings in self.module_scope.bindings.values() for b in bindings):
            if (
                binding.kind == "import"
                and binding.qualname
                and self.project.lookup(binding.qualname, self) is not None
            ):
                return True
        return False

    def _call_does(self: "SemanticModel", call: CallInfo, what: str) -> bool:
        if what == "backward":
            return self.is_backward_call(call)
        if what == "step":
            return self.optimizer_step_target(call) is not None
        if what == "zero_grad":
            return call.method_name == "zero_grad"
        raise ValueError(what)

    @cached_property
    def _called_names(self: "SemanticModel") -> Set[str]:
        """Last component of every callee in the file (``opt.step()`` -> ``step``, ``backward(l)`` -> ``backward``)."""
        names: Set[str] = set()
        for call in self.calls:
            func = call.node.func
            if isinstance(func, cst.Attribute):
                names.add(func.attr.value)
            elif isinstance(func, cst.Name):
                names.add(func.value)
        return names

    def _file_calls_any(self: "SemanticModel", names: Tuple[str, ...]) -> bool:
        return any(name in self._called_names for name in names)

    def loop_repeats(self: "SemanticModel", loop: LoopInfo) -> bool:
        """Whether a loop runs more than once: nested in another loop, or in a function called from a loop
        (``for epoch ...: train_one_epoch()``), in this file or another."""
        return loop.parent is not None or (loop.function is not None and self.function_repeats(loop.function))

    def function_repeats(self: "SemanticModel", func: FunctionInfo, depth: int = 0) -> bool:
        """Whether a function is called from inside a loop, directly or through its callers."""
        if depth > 3:
            return False
        callers = [(self, call) for call in self.callers(func)] + list(self.foreign_callers(func))
        return any(
            call.loops or (call.function is not None and owner.function_repeats(call.function, depth + 1))
            for owner, call in callers
        )

    def is_training_loop(self: "SemanticModel", loop: LoopInfo) -> bool:
        return self.loop_does(loop, "backward") or self.loop_does(loop, "step")

    @cached_property
    def training_loops(self: "SemanticModel") -> List[LoopInfo]:
        return [loop for loop in self.loops if self.is_training_loop(loop)]

    def is_no_grad_with(self: "SemanticModel", with_node: cst.With, scope: Scope, _depth: int = 0) -> bool:
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

    def _context_manager_disables_grad(self: "SemanticModel", call: cst.Call, scope: Scope, depth: int) -> bool:
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

    def function_is_no_grad(self: "SemanticModel", func: FunctionInfo) -> bool:
        """Decorated with ``@torch.no_grad()``/``@torch.inference_mode()``, or with a project helper that
        applies one (``@smart_inference_mode()``, a decorator factory returning ``torch.inference_mode()``)."""
        for decorator in func.node.decorators:
            expr = decorator.decorator
            target = expr.func if isinstance(expr, cst.Call) else expr
            if self.qualname(target, func.outer) in api.NO_GRAD_CONTEXTS:
                return True
            helper = self.resolve_function(target, func.outer)
            owner = self.owner_of(helper) if helper is not None else None
            if (
                helper is not None
                and owner is not None
                and owner.disables_grad_when_applied(helper, called=isinstance(expr, cst.Call))
            ):
                return True
        return False

    def disables_grad_when_applied(self: "SemanticModel", helper: FunctionInfo, called: bool, depth: int = 0) -> bool:
        """A decorator helper of this file that wraps the function in no_grad/inference_mode.

        ``called``: the decorator is written ``@helper(...)``, so what the helper returns is the decorator.
        """
        if depth > 3:
            return False
        for ret in helper.returns:
            value = ret.value
            if value is None:
                continue
            if called and isinstance(value, cst.Call) and self._names_no_grad(value.func, helper.scope):
                return True  # `return torch.inference_mode()`
            if called and isinstance(value, cst.Name):
                inner = self.resolve_function(value, helper.scope)
                if inner is not None and self.disables_grad_when_applied(inner, False, depth + 1):
                    return True  # `return decorate`
            if not called and _applies_no_grad(self, value, helper.scope):
                return True  # `return torch.inference_mode()(fn)`
        return False

    def _names_no_grad(self: "SemanticModel", expr: cst.BaseExpression, scope: Scope) -> bool:
        if isinstance(expr, cst.IfExp):
            return self._names_no_grad(expr.body, scope) and self._names_no_grad(expr.orelse, scope)
        return self.qualname(expr, scope) in api.NO_GRAD_CONTEXTS

    def in_no_grad(self: "SemanticModel", call: CallInfo, _depth: int = 0) -> bool:
        """Whether a call runs with gradients disabled: a no_grad block, a decorated function, or only called from
        such."""
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


_CALL_NAMES_FOR: Dict[str, Tuple[str, ...]] = {
    "backward": ("backward", "manual_backward"),
    "step": ("step",),
    "zero_grad": ("zero_grad",),
}


_ROLE_WORDS = {
    "opt": re.compile(r"(opt|optim|optimi[sz]er)s?\d*"),
    "sched": re.compile(r"(sched|schedule|scheduler)s?\d*"),
}


def _looks_like(expr: cst.BaseExpression, role: str) -> bool:
    """The last name of an expression of unknown type has a word naming the role (``g_opt``, ``optD``,
    ``optimizer2``, ``lr_scheduler``), not merely the letters (``adopt``, ``options``, ``rescheduled``).
    Only ever asked about a ``.step()`` call's receiver or argument, so the name is never the only signal."""
    dotted = dotted_name(expr)
    if dotted is None:
        return False
    last = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", dotted.split(".")[-1])
    words = re.findall(r"[a-z]+\d*", last.lower())
    return any(_ROLE_WORDS[role].fullmatch(word) for word in words)


def _applies_no_grad(model: "SemanticModel", expr: cst.BaseExpression, scope: Scope) -> bool:
    """``torch.no_grad()(fn)`` or ``(torch.inference_mode if new else torch.no_grad)()(fn)``."""
    if not (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Call)):
        return False
    return model._names_no_grad(expr.func.func, scope)
