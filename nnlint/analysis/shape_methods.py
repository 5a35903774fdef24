"""Shapes of tensor methods (``x.float()``, ``x.add(y)``, ``x.view(n, -1)``, ``x.squeeze(1)``, ``x.sum(1)``) and
of the reshapes and reductions that ``torch.`` functions share with them (``torch.flatten``, ``torch.mean``).

Part of the shape analysis of :mod:`~nnlint.analysis.batch_shapes`.
"""

from __future__ import annotations

from typing import List, Optional, Sequence

import libcst as cst

from nnlint.analysis import batch_shapes
from nnlint.analysis.dims import TensorShape, axis_index, broadcast, known, nonunit, squeezed, with_axis, without_axis
from nnlint.analysis.model import Scope, SemanticModel
from nnlint.analysis.sizes import size_of

# Tensor methods whose result has the receiver's shape.
_SAME_SHAPE_METHODS = frozenset(
    {
        "float",
        "astype",  # numpy
        "double",
        "half",
        "long",
        "int",
        "bool",
        "to",
        "clone",
        "detach",
        "cpu",
        "cuda",
        "contiguous",
        "abs",
        "exp",
        "log",
        "log1p",
        "expm1",
        "sigmoid",
        "tanh",
        "relu",
        "neg",
        "sqrt",
        "square",
        "pow",
        "clamp",
        "clip",
        "clamp_min",
        "clamp_max",
        "type_as",
        "requires_grad_",
        "softmax",
        "log_softmax",
        "sign",
        "sin",
        "cos",
        "exp_",
        "clamp_",
        "abs_",
        "neg_",
        "detach_",
    }
)
_ELEMENTWISE_METHODS = frozenset({"add", "sub", "mul", "div", "minimum", "maximum"})
_REDUCTION_METHODS = frozenset(
    {"sum", "mean", "prod", "amax", "amin", "logsumexp", "std", "var", "norm", "nansum", "nanmean"}
)


def method_shape(
    model: SemanticModel, call: cst.Call, func: cst.Attribute, args: List[cst.BaseExpression], scope: Scope, depth: int
) -> Optional[TensorShape]:
    method = func.attr.value
    if method in ("view", "reshape") and args:
        return reshaped(model, call, method, known(()), args, scope, depth)  # the target needs no source shape
    base = batch_shapes.tensor_shape(model, func.value, scope, depth + 1)
    if base is None:
        return None
    if method in _SAME_SHAPE_METHODS:
        return base
    if method in _ELEMENTWISE_METHODS and args:
        other = batch_shapes.tensor_shape(model, args[0], scope, depth + 1)
        return base if other is None and batch_shapes.is_number(model, args[0], scope) else broadcast(base, other)
    if method in ("expand_as", "view_as", "reshape_as") and args:
        return batch_shapes.tensor_shape(model, args[0], scope, depth + 1)
    if method == "gather" and len(args) >= 2:
        return batch_shapes.tensor_shape(model, args[1], scope, depth + 1)
    if method in _REDUCTION_METHODS:
        return reduce_shape(model, call, base, model.argument(call, 0, "dim"), scope)
    if method in ("max", "min") and not args and not call.args:
        return known(())
    return reshaped(model, call, method, base, args, scope, depth)


def reshaped(
    model: SemanticModel,
    call: cst.Call,
    method: str,
    base: TensorShape,
    args: Sequence[cst.BaseExpression],
    scope: Scope,
    depth: int,
) -> Optional[TensorShape]:
    if method == "unsqueeze" and args:
        return with_axis(base, model.number(args[0], scope))
    if method == "squeeze":
        if not args:
            return squeezed(base, all_axes=True)
        dim = model.number(args[0], scope)
        if base.exact or dim is None or dim < 0:
            return squeezed(base, dim)
        return _squeezed_leading(base, int(dim))
    if method in ("view", "reshape") and args:
        if len(args) == 1 and isinstance(args[0], (cst.Tuple, cst.List)):
            exprs = [e.value for e in args[0].elements]
        elif len(args) == 1 and model.number(args[0], scope) is None:
            return None  # a dtype view, or a shape held in a variable
        else:
            exprs = list(args)
        return known(tuple(size_of(model, e, scope) for e in exprs))
    if method == "flatten" and not args and not call.args:
        return known((None,))
    if method == "t" and base.exact and len(base.dims) == 2:
        return known((base.dims[1], base.dims[0]))
    return None


def _squeezed_leading(base: TensorShape, dim: int) -> Optional[TensorShape]:
    """``squeeze(d)`` of an inexact shape: the axes after the ``d + 1`` last known ones stay, and all of them
    stay when none of those could be the (size-1) axis removed."""
    if all(nonunit(d) for d in base.dims[: dim + 1]):
        return base
    return TensorShape(base.dims[dim + 1 :], exact=False)


def reduce_shape(
    model: SemanticModel,
    call: cst.Call,
    base: Optional[TensorShape],
    dim_expr: Optional[cst.BaseExpression],
    scope: Scope,
) -> Optional[TensorShape]:
    """``sum``/``mean``/``max(dim)``...: no dim gives a scalar; ``keepdim=True`` keeps the axis as 1."""
    if base is None:
        return None
    if dim_expr is None:
        positional = [arg for arg in call.args if arg.keyword is None]
        keywords = {arg.keyword.value for arg in call.args if arg.keyword is not None}
        receiver_given = 1 if model.callee_qualname(call, scope) is not None else 0  # torch.sum(x) / x.sum()
        return known(()) if len(positional) == receiver_given and keywords <= {"dtype"} else None
    index = axis_index(base, model.number(dim_expr, scope))
    if index is None:
        return None
    keepdim = model.argument(call, None, "keepdim")
    if keepdim is None:
        return without_axis(base, index)
    if isinstance(keepdim, cst.Name) and keepdim.value in ("True", "False"):
        return (
            TensorShape(base.dims[:index] + (1,) + base.dims[index + 1 :], base.exact)
            if keepdim.value == "True"
            else without_axis(base, index)
        )
    return None
