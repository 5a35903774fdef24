"""The records the semantic model is made of: bindings, scopes, functions, classes, calls, loops, and
the answers it gives about objects (:class:`Obj`) and tensors (:class:`Tail`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple, Union

import libcst as cst


if TYPE_CHECKING:
    from nnlint.analysis.branches import Guard
    from nnlint.analysis.model import SemanticModel

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

    @cached_property
    def instance_param(self) -> Optional[str]:
        """The parameter that holds the instance in a method: the first one, or, in a ``@staticmethod``, the
        one named ``self`` (``mp.spawn(self._worker, args=(self, data))`` runs ``_worker(rank, self, data)``)."""
        if self.cls is None or not self.params:
            return None
        if any(_decorator_name(d.decorator) == "staticmethod" for d in self.node.decorators):
            return "self" if "self" in self.params else None
        return self.params[0]

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

    @cached_property
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
    # True when only its uses prove the kind (``model.eval()`` on a third-party model); ``node`` is then
    # the binding that holds it (an assignment, a parameter, the first ``self.x = ...``), not a constructor
    by_usage: bool = False


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
    packed: bool = False  # reached through a torch.cat/torch.stack part (no automatic fix removes it)
    # the configuration under which the tensor takes this path, where a function's returns disagree
    # (``if self.method == "binary": return torch.sigmoid(out)``): branches.Guard items, empty when always
    guards: Tuple["Guard", ...] = ()


UNKNOWN_TAIL = Tail("unknown")


def _decorator_name(expr: cst.BaseExpression) -> Optional[str]:
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    return None
