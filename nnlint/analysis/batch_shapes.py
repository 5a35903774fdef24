"""Shapes of the tensors that reach a loss, where the source makes them evident: synthetic data built
with ``torch.randn(512, 13)``, batches drawn from a ``DataLoader(TensorDataset(x, y))``, arithmetic and
broadcasting, reductions, indexing, reshaping, the outputs of layers and models
(:mod:`~nnlint.analysis.module_shapes`) and of ``torch.distributions``
(:mod:`~nnlint.analysis.distribution_shapes`). Values are followed through names, tuple unpacking,
``self.`` attributes assigned once, function returns and the arguments of every call site.
(:mod:`nnlint.analysis.shapes` answers a different question: which axis a reshape moves.)

Shapes are :class:`~nnlint.analysis.dims.TensorShape`; ``None`` means unknown. Everything here answers
"unknown" rather than guess. Built only on the public API of :class:`~nnlint.analysis.model.SemanticModel`.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Set, Tuple

import libcst as cst

from nnlint.analysis import distribution_shapes, loader_batches, module_shapes
from nnlint.analysis import torch_api as api
from nnlint.analysis.dims import (
    Dim,
    TensorShape,
    axis_index,
    broadcast,
    informative,
    known,
    nonunit,
    squeezed,
    with_axis,
    without_axis,
)
from nnlint.analysis.model import Scope, SemanticModel
from nnlint.analysis.shapes import is_integer_index
from nnlint.analysis.sizes import size_of
from nnlint.analysis.values import self_attribute_values

_MAX_DEPTH = 40
_SIZED_CONSTRUCTORS = frozenset({"torch.randn", "torch.rand", "torch.zeros", "torch.ones", "torch.empty"})
_VECTOR_CONSTRUCTORS = frozenset({"torch.arange", "torch.linspace", "torch.logspace"})
_LIKE_CONSTRUCTORS = frozenset(
    {
        "torch.zeros_like",
        "torch.ones_like",
        "torch.rand_like",
        "torch.randn_like",
        "torch.empty_like",
        "torch.full_like",
    }
)
_SAME_SHAPE_FUNCTIONS = frozenset(
    {
        "torch.from_numpy",
        "torch.clone",
        "torch.autograd.Variable",
        "torch.abs",
        "torch.exp",
        "torch.log",
        "torch.log1p",
        "torch.expm1",
        "torch.sqrt",
        "torch.square",
        "torch.neg",
        "torch.sign",
        "torch.sin",
        "torch.cos",
        "torch.clamp",
        "torch.clip",
        "torch.detach",
        "torch.nn.functional.dropout",
        "torch.nn.functional.normalize",
        "torch.nn.functional.layer_norm",
    }
) | frozenset(api.ACTIVATION_FUNCTIONS)
_TENSOR_FROM_DATA = frozenset({"torch.tensor", "torch.as_tensor"})
_LEGACY_CONSTRUCTORS = frozenset(
    {"torch.Tensor", "torch.FloatTensor", "torch.LongTensor", "torch.DoubleTensor"}
)  # sizes or data
_ELEMENTWISE_FUNCTIONS = frozenset(
    {"torch.minimum", "torch.maximum", "torch.add", "torch.sub", "torch.mul", "torch.div", "torch.where"}
)
_MIN_MAX_FUNCTIONS = frozenset({"torch.min", "torch.max"})  # elementwise with a tensor, reductions with a dim
_REDUCTION_FUNCTIONS = frozenset(
    {"torch.sum", "torch.mean", "torch.prod", "torch.amax", "torch.amin", "torch.logsumexp"}
)
# Tensor methods whose result has the receiver's shape.
_SAME_SHAPE_METHODS = frozenset(
    {
        "float",
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
_TUPLE_REDUCTIONS = frozenset({"max", "min", "median", "mode", "sort", "topk"})
_ARITHMETIC = (cst.Add, cst.Subtract, cst.Multiply, cst.Divide, cst.FloorDivide, cst.Power, cst.Modulo)


def tensor_shape(
    model: SemanticModel, expr: Optional[cst.BaseExpression], scope: Scope, depth: int = 0
) -> Optional[TensorShape]:
    """The shape of the tensor an expression holds, where the source makes it evident (cached per file)."""
    if expr is None:
        return None
    state = _state(model)
    if depth > _MAX_DEPTH:
        state.cut += 1
        return None
    key = (id(expr), id(scope))
    if key in state.cache:
        return state.cache[key]
    if key in state.busy:
        state.cut += 1
        return None  # a loop-carried value built from itself
    state.busy.add(key)
    cut_before = state.cut
    try:
        found = informative(_shape(model, expr, scope, depth))
    finally:
        state.busy.discard(key)
    if state.cut == cut_before:
        state.cache[key] = found  # an answer cut short by depth or a cycle may be known from elsewhere
    return found


class _ShapeState:
    def __init__(self) -> None:
        self.cache: Dict[Tuple[int, int], Optional[TensorShape]] = {}
        self.busy: Set[Tuple[int, int]] = set()
        self.cut = 0  # answers cut short (depth, cycles) so far


def _state(model: SemanticModel) -> _ShapeState:
    return model.cached_analysis("tensor-shapes", _ShapeState)


def is_number(model: SemanticModel, expr: Optional[cst.BaseExpression], scope: Scope) -> bool:
    return expr is not None and model.number(expr, scope) is not None


def _shape(model: SemanticModel, expr: cst.BaseExpression, scope: Scope, depth: int) -> Optional[TensorShape]:
    if isinstance(expr, cst.Name):
        return _name_shape(model, expr, scope, depth)
    if isinstance(expr, cst.Attribute):
        return _attribute_shape(model, expr, scope, depth)
    if isinstance(expr, cst.Call):
        return _call_shape(model, expr, scope, depth)
    if isinstance(expr, cst.BinaryOperation):
        return _binary_shape(model, expr, scope, depth)
    if isinstance(expr, cst.UnaryOperation):
        return tensor_shape(model, expr.expression, scope, depth + 1)
    if isinstance(expr, cst.Comparison) and len(expr.comparisons) == 1:
        left = tensor_shape(model, expr.left, scope, depth + 1)
        return left if is_number(model, expr.comparisons[0].comparator, scope) else None
    if isinstance(expr, cst.Subscript):
        return _subscript_shape(model, expr, scope, depth)
    return None


def _binary_shape(model: SemanticModel, expr: cst.BinaryOperation, scope: Scope, depth: int) -> Optional[TensorShape]:
    left = tensor_shape(model, expr.left, scope, depth + 1)
    right = tensor_shape(model, expr.right, scope, depth + 1)
    if isinstance(expr.operator, cst.MatrixMultiply):
        if left is None or right is None or not left.exact or not right.exact:
            return None
        if len(left.dims) == 2 and len(right.dims) == 1:
            return known(left.dims[:1])
        if len(left.dims) == 2 and len(right.dims) == 2:
            return known((left.dims[0], right.dims[1]))
        return None
    if not isinstance(expr.operator, _ARITHMETIC):
        return None
    if left is None and is_number(model, expr.left, scope):
        return right
    if right is None and is_number(model, expr.right, scope):
        return left
    return broadcast(left, right)


def _name_shape(model: SemanticModel, name: cst.Name, scope: Scope, depth: int) -> Optional[TensorShape]:
    binding = model.reaching_value(name, scope)
    if binding is None:
        return None
    if binding.kind in ("assign", "annassign", "walrus") and binding.index is None:
        return tensor_shape(model, binding.value, binding.scope, depth + 1)
    if (
        binding.kind in ("assign", "unpack")
        and binding.index is not None
        and len(binding.index) == 1
        and binding.value is not None
    ):
        return element_shape(model, binding.value, binding.index[0], binding.scope, depth + 1)
    if binding.kind == "for" and binding.index is not None and binding.value is not None:
        return loader_batches.batch_element_shape(model, binding.value, binding.index, binding.scope, depth)
    if binding.kind == "param" and binding.scope.function is not None:
        func = binding.scope.function
        owner = model.owner_of(func) or model
        sites = owner.passed_arguments(func, binding.name)
        shapes = {tensor_shape(site_model, arg, arg_scope, depth + 1) for arg, arg_scope, site_model in sites}
        return shapes.pop() if len(shapes) == 1 else None
    return None


def _attribute_shape(model: SemanticModel, expr: cst.Attribute, scope: Scope, depth: int) -> Optional[TensorShape]:
    if expr.attr.value in ("data", "real"):
        return tensor_shape(model, expr.value, scope, depth + 1)
    if expr.attr.value in ("values", "indices"):
        return _reduced_pair(model, expr.value, scope, depth)
    if expr.attr.value in ("mean", "stddev", "variance"):
        dist = distribution_shapes.distribution_of(model, expr.value, scope, depth + 1)
        return dist.sample() if dist is not None else None
    assigned = self_attribute_values(model, expr, scope)
    shapes = {tensor_shape(owner, value, value_scope, depth + 1) for value, value_scope, owner in assigned}
    return shapes.pop() if len(shapes) == 1 else None


def element_shape(
    model: SemanticModel, expr: cst.BaseExpression, index: int, scope: Scope, depth: int = 0
) -> Optional[TensorShape]:
    """The shape of element ``index`` of a tuple-valued expression (``a, b = f(x)``)."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(expr, (cst.Tuple, cst.List)):
        elements = expr.elements
        if index >= len(elements) or any(isinstance(e, cst.StarredElement) for e in elements[: index + 1]):
            return None
        return tensor_shape(model, elements[index].value, scope, depth + 1)
    if isinstance(expr, cst.Name):
        binding = model.reaching_value(expr, scope)
        if (
            binding is not None
            and binding.kind in ("assign", "annassign")
            and binding.index is None
            and binding.value is not None
        ):
            return element_shape(model, binding.value, index, binding.scope, depth + 1)
        return None
    if isinstance(expr, cst.Call):
        if index in (0, 1) and _is_tuple_reduction(model, expr, scope):
            return _reduced_pair(model, expr, scope, depth)
        return module_shapes.call_output_element(model, expr, index, scope, depth + 1)
    return None


def _is_tuple_reduction(model: SemanticModel, call: cst.Call, scope: Scope) -> bool:
    """``x.max(1)`` / ``torch.max(x, dim=1)``: (values, indices) along a dimension."""
    qualname = model.callee_qualname(call, scope)
    if qualname in _MIN_MAX_FUNCTIONS:
        second = model.argument(call, 1, "dim")
        return second is not None and is_number(model, second, scope)
    func = call.func
    return (
        qualname is None
        and isinstance(func, cst.Attribute)
        and func.attr.value in ("max", "min", "median", "mode")
        and is_number(model, model.argument(call, 0, "dim"), scope)
    )


def _reduced_pair(model: SemanticModel, expr: cst.BaseExpression, scope: Scope, depth: int) -> Optional[TensorShape]:
    """The shape of either half of ``x.max(dim)``: ``x`` without that axis (or with it kept as 1)."""
    if not isinstance(expr, cst.Call) or not _is_tuple_reduction(model, expr, scope):
        return None
    qualname = model.callee_qualname(expr, scope)
    if qualname in _MIN_MAX_FUNCTIONS:
        source, dim = model.argument(expr, 0, "input"), model.argument(expr, 1, "dim")
    else:
        assert isinstance(expr.func, cst.Attribute)
        source, dim = expr.func.value, model.argument(expr, 0, "dim")
    return _reduce(model, expr, tensor_shape(model, source, scope, depth + 1), dim, scope)


def _subscript_shape(model: SemanticModel, expr: cst.Subscript, scope: Scope, depth: int) -> Optional[TensorShape]:
    """Basic indexing: ``:`` keeps an axis, an integer drops it, ``None`` adds one, ``...`` spans the rest."""
    value = expr.value
    if len(expr.slice) == 1 and isinstance(expr.slice[0].slice, cst.Index):
        position = model.number(expr.slice[0].slice.value, scope)
        if position is not None and isinstance(value, cst.Call) and _is_tuple_reduction(model, value, scope):
            return _reduced_pair(model, value, scope, depth) if position in (0, 1) else None
        if position is not None and isinstance(value, cst.Call) and module_shapes.returns_tuple(model, value, scope):
            return (
                element_shape(model, value, int(position), scope, depth + 1)
                if position >= 0 and position == int(position)
                else None
            )
    base = tensor_shape(model, value, scope, depth + 1)
    if base is None:
        return None
    elements = [element.slice for element in expr.slice]
    ellipsis = [i for i, e in enumerate(elements) if isinstance(e, cst.Index) and isinstance(e.value, cst.Ellipsis)]
    if len(ellipsis) > 1:
        return None
    if ellipsis:
        head, tail = elements[: ellipsis[0]], elements[ellipsis[0] + 1 :]
    else:
        head, tail = elements, []
    consumed_head = _consumed(head)
    consumed_tail = _consumed(tail)
    if consumed_head is None or consumed_tail is None or consumed_head + consumed_tail > len(base.dims):
        return None
    if consumed_head and not base.exact:
        return None  # leading axes of an inexact shape cannot be placed
    middle = base.dims[consumed_head : len(base.dims) - consumed_tail]
    if not ellipsis and not base.exact:
        return None
    front = _index_axes(model, head, base.dims[:consumed_head], scope)
    back = _index_axes(model, tail, base.dims[len(base.dims) - consumed_tail :], scope)
    if front is None or back is None:
        return None
    return TensorShape(tuple(front) + tuple(middle) + tuple(back), base.exact)


def _consumed(elements: Sequence[cst.BaseSlice]) -> Optional[int]:
    count = 0
    for element in elements:
        if isinstance(element, cst.Index) and isinstance(element.value, cst.Name) and element.value.value == "None":
            continue
        if isinstance(element, cst.Index) and element.star is not None:
            return None
        count += 1
    return count


def _index_axes(
    model: SemanticModel, elements: Sequence[cst.BaseSlice], dims: Sequence[Dim], scope: Scope
) -> Optional[List[Dim]]:
    out: List[Dim] = []
    axes = iter(dims)
    for element in elements:
        if isinstance(element, cst.Index) and isinstance(element.value, cst.Name) and element.value.value == "None":
            out.append(1)
            continue
        axis = next(axes)
        if isinstance(element, cst.Slice):
            out.append(_sliced(model, element, axis, scope))
            continue
        if not isinstance(element, cst.Index) or not is_integer_index(model, element.value, scope):
            return None  # a tensor or mask index: advanced indexing
    return out


def _sliced(model: SemanticModel, element: cst.Slice, axis: Dim, scope: Scope) -> Dim:
    if element.lower is None and element.upper is None and element.step is None:
        return axis
    lower = 0 if element.lower is None else model.number(element.lower, scope)
    upper = model.number(element.upper, scope) if element.upper is not None else None
    if element.step is None and lower is not None and upper is not None and 0 <= lower < upper and upper - lower == 1:
        return 1 if not isinstance(axis, int) or axis >= upper else None
    if (
        element.step is None
        and lower is not None
        and upper is not None
        and 0 <= lower < upper
        and isinstance(axis, int)
    ):
        return max(0, min(int(upper), axis) - int(lower))
    return None


def sizes(
    model: SemanticModel, call: cst.Call, scope: Scope, args: Sequence[cst.BaseExpression]
) -> Optional[TensorShape]:
    """The shape a call's size arguments spell: ``(64, 1)``, ``64, 1``, ``size=(64, 1)``."""
    size = model.argument(call, None, "size")
    if size is None and len(args) == 1 and isinstance(args[0], (cst.Tuple, cst.List)):
        size = args[0]
    if isinstance(size, (cst.Tuple, cst.List)):
        if any(isinstance(e, cst.StarredElement) for e in size.elements):
            return None
        return known(tuple(size_of(model, e.value, scope) for e in size.elements))
    if size is not None or any(arg.star for arg in call.args):
        return None
    return known(tuple(size_of(model, arg, scope) for arg in args))


def _call_shape(model: SemanticModel, call: cst.Call, scope: Scope, depth: int) -> Optional[TensorShape]:
    qualname = model.callee_qualname(call, scope)
    args = [arg.value for arg in call.args if arg.keyword is None and not arg.star]
    if qualname is not None:
        return _function_shape(model, call, qualname, args, scope, depth)
    func = call.func
    if isinstance(func, cst.Name) and func.value in ("float", "int") and model.lookup(func.value, scope) is None:
        return known(())  # a Python number (collated into a batch axis)
    if isinstance(func, cst.Attribute) and func.attr.value == "item" and not call.args:
        return known(())
    if isinstance(func, cst.Attribute):
        dist = distribution_shapes.distribution_of(model, func.value, scope, depth + 1)
        if dist is not None:
            return distribution_shapes.method_shape(model, dist, call, scope, depth + 1)
        found = module_shapes.call_output(model, call, scope, depth + 1)
        if found is not None:
            return found
        return _method_shape(model, call, func, args, scope, depth)
    return module_shapes.call_output(model, call, scope, depth + 1)


def _function_shape(
    model: SemanticModel, call: cst.Call, qualname: str, args: List[cst.BaseExpression], scope: Scope, depth: int
) -> Optional[TensorShape]:
    if qualname in _SIZED_CONSTRUCTORS:
        return sizes(model, call, scope, args)
    if qualname == "torch.randint":
        size = model.argument(call, None, "size") or next(
            (a for a in reversed(args) if isinstance(a, (cst.Tuple, cst.List))), None
        )
        return (
            known(tuple(size_of(model, e.value, scope) for e in size.elements))
            if isinstance(size, (cst.Tuple, cst.List))
            else None
        )
    if qualname == "torch.full":
        size = model.argument(call, 0, "size")
        return (
            known(tuple(size_of(model, e.value, scope) for e in size.elements))
            if isinstance(size, (cst.Tuple, cst.List))
            else None
        )
    if qualname in _VECTOR_CONSTRUCTORS:
        return known((None,))
    first = model.argument(call, 0, "input")
    if qualname in _LIKE_CONSTRUCTORS or qualname in _SAME_SHAPE_FUNCTIONS:
        return tensor_shape(model, first, scope, depth + 1)
    if qualname in _TENSOR_FROM_DATA or (
        qualname in _LEGACY_CONSTRUCTORS and isinstance(first, (cst.List, cst.Tuple)) and len(args) == 1
    ):
        return _data_shape(model, first, scope, depth + 1)
    if qualname in _ELEMENTWISE_FUNCTIONS:
        shapes = [tensor_shape(model, a, scope, depth + 1) for a in args]
        return _broadcast_all(model, args, shapes, scope)
    if (
        qualname in _MIN_MAX_FUNCTIONS
        and len(args) == 2
        and not is_number(model, args[1], scope)
        and model.argument(call, None, "dim") is None
    ):
        shapes = [tensor_shape(model, a, scope, depth + 1) for a in args]
        return broadcast(shapes[0], shapes[1]) if all(shapes) else None  # both tensors for sure: elementwise
    if qualname in _REDUCTION_FUNCTIONS:
        return _reduce(model, call, tensor_shape(model, first, scope, depth + 1), model.argument(call, 1, "dim"), scope)
    if qualname in ("torch.squeeze", "torch.unsqueeze", "torch.reshape", "torch.flatten"):
        base = tensor_shape(model, first, scope, depth + 1)
        rest = args[1:]
        return (
            _reshaped(model, call, qualname.rsplit(".", 1)[-1], base, rest, scope, depth) if base is not None else None
        )
    return module_shapes.call_output(model, call, scope, depth + 1)


def _data_shape(
    model: SemanticModel, data: Optional[cst.BaseExpression], scope: Scope, depth: int
) -> Optional[TensorShape]:
    """``torch.tensor(data)``: a number is a scalar, a list display a vector (of equal-shaped rows)."""
    if data is None:
        return None
    if is_number(model, data, scope):
        return known(())
    if (
        isinstance(data, (cst.List, cst.Tuple))
        and data.elements
        and not any(isinstance(e, cst.StarredElement) for e in data.elements)
    ):
        rows = {_data_shape(model, e.value, scope, depth + 1) for e in data.elements}
        row = rows.pop() if len(rows) == 1 else None
        return TensorShape((len(data.elements),) + row.dims, True) if row is not None and row.exact else None
    return tensor_shape(model, data, scope, depth)


def _broadcast_all(
    model: SemanticModel, args: Sequence[cst.BaseExpression], shapes: Sequence[Optional[TensorShape]], scope: Scope
) -> Optional[TensorShape]:
    result: Optional[TensorShape] = None
    seen_tensor = False
    for arg, shape in zip(args, shapes):
        if shape is None and is_number(model, arg, scope):
            continue
        result = broadcast(result, shape) if seen_tensor else shape
        seen_tensor = True
    return result


def _method_shape(
    model: SemanticModel, call: cst.Call, func: cst.Attribute, args: List[cst.BaseExpression], scope: Scope, depth: int
) -> Optional[TensorShape]:
    method = func.attr.value
    if method in ("view", "reshape") and args:
        return _reshaped(model, call, method, known(()), args, scope, depth)  # the target needs no source shape
    base = tensor_shape(model, func.value, scope, depth + 1)
    if base is None:
        return None
    if method in _SAME_SHAPE_METHODS:
        return base
    if method in _ELEMENTWISE_METHODS and args:
        other = tensor_shape(model, args[0], scope, depth + 1)
        return base if other is None and is_number(model, args[0], scope) else broadcast(base, other)
    if method in ("expand_as", "view_as", "reshape_as") and args:
        return tensor_shape(model, args[0], scope, depth + 1)
    if method == "gather" and len(args) >= 2:
        return tensor_shape(model, args[1], scope, depth + 1)
    if method in _REDUCTION_METHODS:
        return _reduce(model, call, base, model.argument(call, 0, "dim"), scope)
    if method in ("max", "min") and not args and not call.args:
        return known(())
    return _reshaped(model, call, method, base, args, scope, depth)


def _reshaped(
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


def _reduce(
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
