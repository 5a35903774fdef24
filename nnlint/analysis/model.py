"""The semantic model of one file: built in a single walk of its libcst tree, queried by every rule.

What it records in that walk (:mod:`nnlint.analysis.builder`): scopes and the bindings in them
(assignments, imports, parameters, loop and ``with`` targets), functions and classes, every call with
the loops/``with`` blocks/function that enclose it, and a parent map. Everything else is derived lazily
and cached, by the part of the model that answers that kind of question:

- :mod:`~nnlint.analysis.structure`: the tree (ancestors, nodes by type, positions);
- :mod:`~nnlint.analysis.names`: names and scopes (bindings, imported names, user functions and classes);
- :mod:`~nnlint.analysis.bindings`: calls and what they bind (call sites, arguments, literal values);
- :mod:`~nnlint.analysis.objects`: objects and their roles (model, loss, optimizer, loader...);
- :mod:`~nnlint.analysis.usage`: roles proven by usage, where the origin is out of sight;
- :mod:`~nnlint.analysis.tails`: what a tensor passed through last;
- :mod:`~nnlint.analysis.contents`: what layers a model holds;
- :mod:`~nnlint.analysis.loops`: what loops do (backward, step, zero_grad, no_grad).

Analyses built on top of the model in other modules (train/eval modes, per-loop facts, tensor shapes)
keep their per-file result in the model through :meth:`SemanticModel.cached_analysis`, never by setting
attributes on it from outside.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Set, Tuple, TypeVar, cast

import libcst as cst
from libcst.metadata import CodeRange

from nnlint.analysis.bindings import CallBindings
from nnlint.analysis.builder import ModelBuilder
from nnlint.analysis.contents import ModuleContents
from nnlint.analysis.loops import LoopSemantics
from nnlint.analysis.names import NameResolution
from nnlint.analysis.objects import ObjectRoles
from nnlint.analysis.positions import StatementAnchoredPositions
from nnlint.analysis.structure import NodeQueries
from nnlint.analysis.symbols import (  # noqa: F401  (re-exported: rules and plugins import them from here)
    UNKNOWN,
    UNKNOWN_TAIL,
    Binding,
    CallInfo,
    ClassInfo,
    FunctionInfo,
    LoopInfo,
    Obj,
    Scope,
    Tail,
)
from nnlint.analysis.tails import OutputTails
from nnlint.analysis.usage import UsageRoles
from nnlint.analysis.walk import LAYOUT_TYPES

if TYPE_CHECKING:
    from nnlint.analysis.project import ProjectIndex

_Result = TypeVar("_Result")

__all__ = [
    "SemanticModel",
    "Binding",
    "Scope",
    "FunctionInfo",
    "ClassInfo",
    "CallInfo",
    "LoopInfo",
    "Obj",
    "Tail",
    "UNKNOWN",
    "UNKNOWN_TAIL",
]


class SemanticModel(
    NodeQueries, NameResolution, CallBindings, ObjectRoles, UsageRoles, OutputTails, ModuleContents, LoopSemantics
):
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
        # id-keyed caches (libcst nodes hash in Python); each entry holds its node, so the id stays its own
        self._qualname_cache: Dict[int, Tuple[cst.Call, Optional[str]]] = {}  # callee_qualname
        self._enclosing_cache: Dict[Tuple[int, object], Tuple[cst.CSTNode, Optional[cst.CSTNode]]] = {}
        self.functions: List[FunctionInfo] = []
        self.classes: List[ClassInfo] = []
        self.calls: List[CallInfo] = []
        self.call_info: Dict[cst.Call, CallInfo] = {}
        self.loops: List[LoopInfo] = []
        self.withs: List[cst.With] = []
        self.star_imports: List[Tuple[str, cst.CSTNode, int]] = []  # (module, statement, order) of `from m import *`
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
        self._analyses: Dict[str, object] = {}  # see cached_analysis()
        ModelBuilder(self).build(module, LAYOUT_TYPES)  # not libcst's visit(), which rebuilds every node: ~3x slower

    def cached_analysis(self, key: str, build: Callable[[], _Result]) -> _Result:
        """The per-file result of an analysis kept outside the model, built by ``build()`` on first use.

        ``key`` names the analysis (``"modes"``, ``"loop-facts"``...); one key always holds one type.
        The result lives as long as the model, like the model's own caches.
        """
        if key not in self._analyses:
            self._analyses[key] = build()
        return cast(_Result, self._analyses[key])

    def release(self) -> None:
        """Break the reference cycles the model is made of (scopes and their bindings, functions and the calls
        in them, the model and its project index), so that dropping it frees it by reference counting alone.

        A full garbage collection walks every live object: releasing a few hundred models this way before
        collecting made each of the project index's resets five times cheaper. The model is unusable after.
        """
        scopes = [self.module_scope, *(function.scope for function in self.functions)]
        scopes += [cls.scope for cls in self.classes]
        for record in (*scopes, *self.functions, *self.classes, *self.calls, *self.loops):
            vars(record).clear()
        vars(self).clear()
