"""A forward inside a training iteration that scores a batch of another loader (a held-out batch).

``for i, data in enumerate(dataloader): ...; loss.backward(); optimizer.step()`` and then, every ten
steps, ``j, data = next(enumerate(testdataloader, 0))`` scored by ``nll_loss`` and an accuracy, with no
backward: that forward evaluates, although it sits in a loop that trains. It is told apart from the
training forward by three facts together: its input is drawn with ``next()`` from a loader that is not the
one the loop iterates, its output is scored, and nothing of it is backpropagated.
"""

from __future__ import annotations

from typing import List, Optional

import libcst as cst

from nnlint.analysis.item_tails import unpacked_item
from nnlint.analysis.model import CallInfo, Obj, Scope, SemanticModel

_MAX_HOPS = 10
# a batch handed on unchanged in kind: `x.cuda()`, `x.to(device)`, `x.transpose(2, 1)`, `Variable(x)`
_WRAPPERS = frozenset({"Variable", "torch.autograd.Variable"})


def scores_held_out_batch(model: SemanticModel, call: CallInfo) -> bool:
    """The forward runs on a batch drawn with ``next()`` from a loader other than the ones its innermost
    loop iterates, its output is scored and it reaches no backward (see the module's docstring)."""
    if not call.loops or not call.node.args:
        return False
    from nnlint.analysis.forward_roles import output_scored, reaches_backward  # forward_roles imports this module
    from nnlint.analysis.loaders import iterated_loader

    loop = call.loops[-1]
    drawn = _drawn_loaders(model, call.node.args[0].value, call.scope)
    if not drawn:
        return False
    iterated = {id(obj.node) for obj in iterated_loader(model, loop.iter, loop.scope)}
    if not iterated or any(id(obj.node) in iterated for obj in drawn):
        return False
    return output_scored(model, call) and not reaches_backward(model, call)


def _drawn_loaders(model: SemanticModel, expr: cst.BaseExpression, scope: Scope) -> List[Obj]:
    """The loaders a forward's input was drawn from with ``next(...)``, followed back through assignments,
    unpacking, tensor methods and ``Variable(...)``."""
    from nnlint.analysis.loaders import iterated_loader

    current: Optional[cst.BaseExpression] = expr
    for _ in range(_MAX_HOPS):
        if isinstance(current, cst.Name):
            binding = model.lookup(current.value, scope, model.order.get(current))
            if binding is None or binding.kind not in ("assign", "unpack") or binding.value is None:
                return []
            # `a, b = x.cuda(), y.cuda()`: the item; `a, b = batch`: the batch the name is part of
            item = unpacked_item(binding.value, binding.index) if binding.index else None
            current, scope = item or binding.value, binding.scope
        elif isinstance(current, cst.Subscript):
            current = current.value
        elif isinstance(current, cst.Call):
            func = current.func
            positional = [arg.value for arg in current.args if arg.keyword is None and not arg.star]
            if isinstance(func, cst.Name) and func.value == "next" and positional:
                return iterated_loader(model, positional[0], scope)
            if isinstance(func, cst.Attribute):
                current = func.value
            elif model.callee_qualname(current, scope) in _WRAPPERS and positional:
                current = positional[0]
            else:
                return []
        else:
            return []
    return []
