"""Shapes of the tensors that reach a loss, where the source makes them evident: synthetic data built
with ``torch.randn(512, 13)``, batches drawn from a ``DataLoader(TensorDataset(x, y))``, arithmetic and
broadcasting, reductions, indexing, reshaping, the outputs of layers and models
(:mod:`~nnlint.analysis.module_shapes`) and of ``torch.distributions``
(:mod:`~nnlint.analysis.distribution_shapes`); indexing is in :mod:`~nnlint.analysis.shape_indexing`,
tensor methods, reshapes and reductions in :mod:`~nnlint.analysis.shape_methods`. Values are followed
through names, tuple unpacking, ``self.`` attributes assigned once, function returns and the arguments of
every call site.
(:mod:`nnlint.analysis.shapes` answers a different question: which axis a reshape moves.)

Shapes are :class:`~nnlint.analysis.dims.TensorShape`; ``None`` means unknown. Everything here answers
"unknown" rather than guess. Built only on the public API of :class:`~nnlint.analysis.model.SemanticModel`.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Set, Tuple

import libcst as cst

from nnlint.analysis import (
    frame_shapes,
    distribution_shapes,
    image_arrays,
    loader_batches,
    module_shapes,
    shape_indexing,
    shape_methods,
)
from nnlint.analysis import torch_api as api
from nnlint.analysis.dims import TensorShape, broadcast, informative, known
from nnlint.analysis.model import Scope, SemanticModel
from nnlint.analysis.sizes import size_of
from nnlint.analysis.values import self_attribute_values

_MAX_DEPTH = 40
_SIZED_CONSTRUCTORS = frozenset(
    {
        "torch.randn",
        "torch.rand",
        "torch.zeros",
        "torch.ones",
        "torch.empty",
        "numpy.zeros",
        "numpy.ones",
        "numpy.empty",
        "numpy.random.rand",
        "numpy.random.randn",
    }
)
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
    key = (id(expr), id(scope), image_arrays.assumption())
    if key in state.cache:
        if key in state.met_open_image:
            image_arrays.met_open_image()  # the cached answer rests on an image of unknown mode too
        return state.cache[key]
    if key in state.busy:
        state.cut += 1
        return None  # a loop-carried value built from itself
    state.busy.add(key)
    cut_before, images_before = state.cut, image_arrays.open_images()
    try:
        found = informative(_shape(model, expr, scope, depth))
    finally:
        state.busy.discard(key)
    if state.cut == cut_before:
        state.cache[key] = found  # an answer cut short by depth or a cycle may be known from elsewhere
        if image_arrays.open_images() != images_before:
            state.met_open_image.add(key)
    return found


_Key = Tuple[int, int, Optional[str]]


class _ShapeState:
    def __init__(self) -> None:
        self.cache: Dict[_Key, Optional[TensorShape]] = {}
        self.busy: Set[_Key] = set()
        self.cut = 0  # answers cut short (depth, cycles) so far
        self.met_open_image: Set[_Key] = set()  # answers that met an image of unknown mode


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
        return shape_indexing.subscript_shape(model, expr, scope, depth)
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
        return frame_shapes.column_shape(model, expr, scope) or reduced_pair(model, expr.value, scope, depth)
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
        if index in (0, 1) and is_tuple_reduction(model, expr, scope):
            return reduced_pair(model, expr, scope, depth)
        return module_shapes.call_output_element(model, expr, index, scope, depth + 1)
    return None


def is_tuple_reduction(model: SemanticModel, call: cst.Call, scope: Scope) -> bool:
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


def reduced_pair(model: SemanticModel, expr: cst.BaseExpression, scope: Scope, depth: int) -> Optional[TensorShape]:
    """The shape of either half of ``x.max(dim)``: ``x`` without that axis (or with it kept as 1)."""
    if not isinstance(expr, cst.Call) or not is_tuple_reduction(model, expr, scope):
        return None
    qualname = model.callee_qualname(expr, scope)
    if qualname in _MIN_MAX_FUNCTIONS:
        source, dim = model.argument(expr, 0, "input"), model.argument(expr, 1, "dim")
    else:
        assert isinstance(expr.func, cst.Attribute)
        source, dim = expr.func.value, model.argument(expr, 0, "dim")
    return shape_methods.reduce_shape(model, expr, tensor_shape(model, source, scope, depth + 1), dim, scope)


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
        column = frame_shapes.column_shape(model, call, scope)
        if column is not None:
            return column
        dist = distribution_shapes.distribution_of(model, func.value, scope, depth + 1)
        if dist is not None:
            return distribution_shapes.method_shape(model, dist, call, scope, depth + 1)
        found = module_shapes.call_output(model, call, scope, depth + 1)
        if found is not None:
            return found
        return shape_methods.method_shape(model, call, func, args, scope, depth)
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
    if qualname in image_arrays.ARRAY_FUNCTIONS:
        return image_arrays.array_shape(model, call, scope, depth)
    if qualname in image_arrays.IMAGE_READERS:
        return image_arrays.imread_shape(model, call, scope)
    first = model.argument(call, 0, "input")
    if qualname in module_shapes.RESAMPLING_FUNCTIONS:
        return module_shapes.resampled(model, call, tensor_shape(model, first, scope, depth + 1))
    if qualname in _LIKE_CONSTRUCTORS or qualname in _SAME_SHAPE_FUNCTIONS:
        return tensor_shape(model, first, scope, depth + 1)
    if qualname in _TENSOR_FROM_DATA or (
        # `torch.FloatTensor(values)`: data, unless it is a size (`FloatTensor(3)`, `FloatTensor(n)`)
        qualname in _LEGACY_CONSTRUCTORS and len(args) == 1 and not _may_be_size(model, first, scope, depth)
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
        base = tensor_shape(model, first, scope, depth + 1)
        return shape_methods.reduce_shape(model, call, base, model.argument(call, 1, "dim"), scope)
    if qualname in ("torch.squeeze", "torch.unsqueeze", "torch.reshape", "torch.flatten"):
        base = tensor_shape(model, first, scope, depth + 1)
        rest = args[1:]
        method = qualname.rsplit(".", 1)[-1]
        return shape_methods.reshaped(model, call, method, base, rest, scope, depth) if base is not None else None
    return module_shapes.call_output(model, call, scope, depth + 1)


def _may_be_size(model: SemanticModel, expr: Optional[cst.BaseExpression], scope: Scope, depth: int) -> bool:
    """An argument of a legacy constructor (``torch.FloatTensor(x)``) that is, or may be, a size: anything
    but a list or tuple display or an array of known rank one or more (``df["y"].values``, ``np.zeros(n)``)."""
    if isinstance(expr, (cst.List, cst.Tuple)):
        return False
    if expr is None or is_number(model, expr, scope):
        return True
    shape = tensor_shape(model, expr, scope, depth + 1)
    return shape is None or not shape.dims


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
