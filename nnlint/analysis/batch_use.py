"""What a loop keeps of the batches it draws: does it use their targets at all?

``for batch_id, (x, _) in enumerate(loader)`` trains on the inputs alone (style transfer, autoencoders,
self-supervised and generative models over a labelled folder): the targets, the one thing a class-sorted
order correlates batches with, are thrown away. A target counts as thrown away when it is bound to a name
the loop never reads (``_``, ``_labels``, or any name absent from the body), or when the whole batch is
bound to one name that the body reads only as ``batch[0]`` or unpacks into such names
(``x, _ = batch``). Anything else (the batch passed on whole, ``len(batch)``, a dict batch, a single
element that may hold both) keeps the targets, as far as this module can tell.
"""

from __future__ import annotations

from typing import Iterator, List, Optional

import libcst as cst

from nnlint.analysis.loaders import iterated_loader
from nnlint.analysis.model import LoopInfo, Obj, Scope, SemanticModel
from nnlint.analysis.values import reaching_binding

# wrappers whose items are the wrapped iterable's items (``enumerate`` and ``zip`` re-pack them)
_SAME_ITEMS = frozenset({"iter", "tqdm.tqdm", "tqdm.auto.tqdm", "tqdm.notebook.tqdm", "itertools.islice"})
_MAX_HOPS = 6


def loop_discards_targets(model: SemanticModel, loop: LoopInfo, loader: Obj) -> bool:
    """Whether a ``for`` loop over ``loader`` (maybe through ``enumerate``/``tqdm``/``zip``) binds each
    batch so that its targets are never read in the loop."""
    if not isinstance(loop.node, cst.For):
        return False
    target = _batch_target(model, loop.node.iter, loop.node.target, loop.scope, loader, 0)
    return target is not None and _discards(model, target, loop.node)


def _batch_target(
    model: SemanticModel,
    iterable: cst.BaseExpression,
    target: cst.BaseExpression,
    scope: Scope,
    loader: Obj,
    depth: int,
) -> Optional[cst.BaseExpression]:
    """The part of a ``for`` target that receives one batch of ``loader``."""
    if depth > _MAX_HOPS:
        return None
    if isinstance(iterable, cst.Name):
        binding = reaching_binding(model, iterable, scope)
        if binding is not None and binding.kind == "assign" and binding.index is None and binding.value is not None:
            if isinstance(binding.value, cst.Call) and _wrapper(model, binding.value, binding.scope) is not None:
                return _batch_target(model, binding.value, target, binding.scope, loader, depth + 1)
    if not isinstance(iterable, cst.Call):
        return target if _draws_from(model, iterable, scope, loader) else None
    wrapper = _wrapper(model, iterable, scope)
    args = [arg.value for arg in iterable.args if arg.keyword is None and not arg.star]
    if wrapper is None or not args:
        return target if _draws_from(model, iterable, scope, loader) else None
    if wrapper in _SAME_ITEMS:
        return _batch_target(model, args[0], target, scope, loader, depth + 1)
    elements = _elements(target)
    if wrapper == "enumerate":
        return _batch_target(model, args[0], elements[1], scope, loader, depth + 1) if len(elements) == 2 else None
    if len(elements) != len(args) or any(iterable.args[i].star for i in range(len(iterable.args))):
        return None  # zip
    found = [
        _batch_target(model, arg, element, scope, loader, depth + 1)
        for arg, element in zip(args, elements)
        if _draws_from(model, arg, scope, loader)
    ]
    return found[0] if len(found) == 1 else None


def _wrapper(model: SemanticModel, call: cst.Call, scope: Scope) -> Optional[str]:
    qualname = model.callee_qualname(call, scope) or (call.func.value if isinstance(call.func, cst.Name) else None)
    return qualname if qualname in _SAME_ITEMS or qualname in ("enumerate", "zip") else None


def _draws_from(model: SemanticModel, expr: cst.BaseExpression, scope: Scope, loader: Obj) -> bool:
    return any(found.node is loader.node for found in iterated_loader(model, expr, scope))


def _elements(target: cst.BaseExpression) -> List[cst.BaseExpression]:
    if isinstance(target, (cst.Tuple, cst.List)) and not any(
        isinstance(e, cst.StarredElement) for e in target.elements
    ):
        return [e.value for e in target.elements]
    return []


def _discards(model: SemanticModel, target: cst.BaseExpression, loop: cst.For) -> bool:
    """Whether the batch bound to ``target`` has its targets (every position after the first) unread."""
    if isinstance(target, (cst.Tuple, cst.List)):
        elements = target.elements
        if len(elements) < 2 or isinstance(elements[0], cst.StarredElement):
            return False
        return all(_unread(model, element.value, loop) for element in elements[1:])
    if isinstance(target, cst.Name):
        reads = list(_reads(model, target.value, loop))
        return (
            bool(reads)
            and all(_first_only(model, read, loop) for read in reads)
            and not _read_freely(model, target.value)
        )
    return False


def _first_only(model: SemanticModel, read: cst.Name, loop: cst.For) -> bool:
    """``batch[0]``, or ``x, _ = batch`` with the rest unread."""
    parent = model.parent.get(read)
    if isinstance(parent, cst.Subscript) and parent.value is read and len(parent.slice) == 1:
        index = parent.slice[0].slice
        return isinstance(index, cst.Index) and isinstance(index.value, cst.Integer) and index.value.value == "0"
    if isinstance(parent, cst.Assign) and parent.value is read and len(parent.targets) == 1:
        unpacked = parent.targets[0].target
        return isinstance(unpacked, (cst.Tuple, cst.List)) and _discards(model, unpacked, loop)
    return False


def _unread(model: SemanticModel, target: cst.BaseExpression, loop: cst.For) -> bool:
    """Every name in a target position is never read in the loop, nor by a function that reads it as a
    free variable (``def step(): return criterion(model(x), y)`` called in the loop)."""
    if isinstance(target, cst.Name):
        return not any(True for _ in _reads(model, target.value, loop)) and not _read_freely(model, target.value)
    if isinstance(target, (cst.Tuple, cst.List)):
        return all(_unread(model, element.value, loop) for element in target.elements)
    if isinstance(target, cst.StarredElement):
        return _unread(model, target.value, loop)
    return False  # an attribute or subscript target: stored somewhere, kept


def _read_freely(model: SemanticModel, name: str) -> bool:
    for function in model.functions:
        if name in function.scope.bindings:
            continue
        if any(
            isinstance(node, cst.Name) and node.value == name and not _stored(model, node)
            for node in model.descendants(function.node.body, cst.Name)
        ):
            return True
    return False


def _reads(model: SemanticModel, name: str, loop: cst.For) -> Iterator[cst.Name]:
    """The uses of a variable in the loop's body and ``else`` that are not plain stores."""
    for part in (loop.body, loop.orelse):
        if part is None:
            continue
        for node in model.descendants(part, cst.Name):
            if isinstance(node, cst.Name) and node.value == name and not _stored(model, node):
                yield node


def _stored(model: SemanticModel, name: cst.Name) -> bool:
    """A name written, not read: an assignment or ``for``/``with`` target, or an attribute name."""
    node: cst.CSTNode = name
    parent = model.parent.get(node)
    if isinstance(parent, cst.Attribute) and parent.attr is node:
        return True  # `obj.y` reads obj, not y
    if isinstance(parent, cst.Arg) and parent.keyword is node:
        return True
    while isinstance(parent, (cst.Tuple, cst.List, cst.Element, cst.StarredElement)):
        node, parent = parent, model.parent.get(parent)
    if isinstance(parent, cst.AssignTarget):
        return parent.target is node
    if isinstance(parent, (cst.AnnAssign, cst.For, cst.CompFor, cst.NamedExpr)):
        return parent.target is node
    if isinstance(parent, cst.AsName):
        return True
    return False
