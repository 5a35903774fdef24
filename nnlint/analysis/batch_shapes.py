"""Shapes of the tensors that reach a loss, where the source makes them evident: synthetic data built
with ``torch.randn(512, 13)``, batches drawn from a ``DataLoader(TensorDataset(x, y))``, arithmetic
(broadcasting, ``@``), reshaping, and whether a model's output ends in a ``Linear(h, 1)`` unit.
(:mod:`nnlint.analysis.shapes` answers a different question: which axis a reshape moves.)

A shape is a tuple with one entry per dimension (an ``int`` when the size is a literal, ``None`` when it
is not); ``None`` instead of a tuple means the rank itself is unknown. Everything here answers "unknown"
rather than guess. Built only on the public API of :class:`~nnlint.analysis.model.SemanticModel`.
"""
from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

import libcst as cst

from nnlint.analysis import torch_api as api
from nnlint.analysis.model import Obj, Scope, SemanticModel

Shape = Tuple[Optional[int], ...]

_MAX_DEPTH = 10
_SIZED_CONSTRUCTORS = frozenset({"torch.randn", "torch.rand", "torch.zeros", "torch.ones", "torch.empty"})
_VECTOR_CONSTRUCTORS = frozenset({"torch.arange", "torch.linspace", "torch.logspace"})
# Tensor methods whose result has the receiver's shape.
_SAME_SHAPE_METHODS = frozenset(
    {
        "float", "double", "half", "long", "int", "bool", "to", "clone", "detach", "cpu", "cuda", "contiguous",
        "abs", "exp", "log", "sigmoid", "tanh", "relu", "neg", "sqrt", "pow", "clamp", "clip", "type_as", "requires_grad_",
    }
)
_DATASETS = frozenset({"torch.utils.data.TensorDataset", "torch.utils.data.dataset.TensorDataset"})
# Layers whose output has their input's shape (they cannot undo a trailing unit dimension).
_SHAPE_PRESERVING_LAYERS = frozenset(api.ACTIVATION_CLASSES) | api.DROPOUT_CLASSES


def _sizes(model: SemanticModel, exprs: Sequence[cst.BaseExpression], scope: Scope) -> Shape:
    values = []
    for expr in exprs:
        number = model.number(expr, scope)
        values.append(int(number) if number is not None and number >= 0 and number == int(number) else None)
    return tuple(values)


def _positional(call: cst.Call) -> List[cst.BaseExpression]:
    return [arg.value for arg in call.args if arg.keyword is None and not arg.star]


def _size_argument(model: SemanticModel, call: cst.Call, scope: Scope, args: Sequence[cst.BaseExpression]) -> Optional[Shape]:
    size = model.argument(call, None, "size")
    if size is None and len(args) == 1 and isinstance(args[0], (cst.Tuple, cst.List)):
        size = args[0]
    if isinstance(size, (cst.Tuple, cst.List)):
        return _sizes(model, [element.value for element in size.elements], scope)
    if size is not None:
        return None
    if any(arg.star for arg in call.args):
        return None
    return _sizes(model, args, scope)


def _broadcast(left: Shape, right: Shape) -> Shape:
    rank = max(len(left), len(right))
    left = (1,) * (rank - len(left)) + left
    right = (1,) * (rank - len(right)) + right
    dims: List[Optional[int]] = []
    for a, b in zip(left, right):
        if a == 1:
            dims.append(b)
        elif b == 1 or a == b:
            dims.append(a)
        else:
            dims.append(None)
    return tuple(dims)


def _normalise_dim(dim: Optional[float], rank: int) -> Optional[int]:
    if dim is None or dim != int(dim):
        return None
    index = int(dim) + (rank if dim < 0 else 0)
    return index if 0 <= index < rank else None


def tensor_shape(model: SemanticModel, expr: Optional[cst.BaseExpression], scope: Scope, depth: int = 0) -> Optional[Shape]:
    """The shape of the tensor an expression holds, where the source makes it evident."""
    if expr is None or depth > _MAX_DEPTH:
        return None
    if isinstance(expr, cst.Name):
        return _name_shape(model, expr, scope, depth)
    if isinstance(expr, cst.Call):
        return _call_shape(model, expr, scope, depth)
    if isinstance(expr, cst.BinaryOperation):
        left = tensor_shape(model, expr.left, scope, depth + 1)
        right = tensor_shape(model, expr.right, scope, depth + 1)
        if isinstance(expr.operator, cst.MatrixMultiply):
            if left is not None and right is not None and len(left) == 2 and len(right) == 1:
                return (left[0],)
            if left is not None and right is not None and len(left) == 2 and len(right) == 2:
                return (left[0], right[1])
            return None
        if left is None and model.number(expr.left, scope) is not None:
            return right
        if right is None and model.number(expr.right, scope) is not None:
            return left
        return _broadcast(left, right) if left is not None and right is not None else None
    if isinstance(expr, cst.UnaryOperation):
        return tensor_shape(model, expr.expression, scope, depth + 1)
    if isinstance(expr, cst.Comparison) and len(expr.comparisons) == 1:
        left = tensor_shape(model, expr.left, scope, depth + 1)
        if model.number(expr.comparisons[0].comparator, scope) is not None:
            return left
        return None
    if isinstance(expr, cst.Subscript):
        base = tensor_shape(model, expr.value, scope, depth + 1)
        if base is None or len(expr.slice) > len(base):
            return None
        if all(isinstance(element.slice, cst.Slice) for element in expr.slice):
            return (None,) * len(expr.slice) + base[len(expr.slice):]
        return None
    return None


def _name_shape(model: SemanticModel, name: cst.Name, scope: Scope, depth: int) -> Optional[Shape]:
    binding = model.lookup(name.value, scope, model.order.get(name))
    if binding is None:
        return None
    if binding.kind in ("assign", "annassign") and binding.index is None:
        return tensor_shape(model, binding.value, binding.scope, depth + 1)
    if binding.kind in ("assign", "unpack") and binding.index is not None and len(binding.index) == 1:
        if isinstance(binding.value, (cst.Tuple, cst.List)) and binding.index[0] < len(binding.value.elements):
            element = binding.value.elements[binding.index[0]]
            return None if isinstance(element, cst.StarredElement) else tensor_shape(model, element.value, binding.scope, depth + 1)
        return None
    if binding.kind == "for" and binding.index is not None and binding.value is not None:
        return _batch_shape(model, binding.value, binding.index, binding.scope, depth)
    if binding.kind == "param" and binding.scope.function is not None:
        shapes = {tensor_shape(owner, arg, arg_scope, depth + 1) for arg, arg_scope, owner in model.passed_arguments(binding.scope.function, binding.name)}
        return shapes.pop() if len(shapes) == 1 else None
    return None


def _batch_shape(model: SemanticModel, iterable: cst.BaseExpression, index: Tuple[int, ...], scope: Scope, depth: int) -> Optional[Shape]:
    """Shape of one element of ``for x, y in loader`` (or ``enumerate(loader)``) over a TensorDataset."""
    if isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Name) and iterable.func.value == "enumerate":
        if index[0] != 1 or len(index) < 2:
            return None
        iterable, index = _positional(iterable)[0] if _positional(iterable) else None, index[1:]
        if iterable is None:
            return None
    if len(index) != 1:
        return None
    loader = model.object_of(iterable, scope)
    if loader.kind != "loader" or not isinstance(loader.node, cst.Call) or loader.owner is None or loader.scope is None:
        return None
    owner = loader.owner
    dataset = owner.argument(loader.node, 0, "dataset")
    tensors = _dataset_tensors(owner, dataset, loader.scope)
    if tensors is None or index[0] >= len(tensors):
        return None
    shape = tensor_shape(owner, tensors[index[0]], loader.scope, depth + 1)
    if not shape:
        return None
    return (None,) + shape[1:]


def _dataset_tensors(model: SemanticModel, dataset: Optional[cst.BaseExpression], scope: Scope, depth: int = 0) -> Optional[List[cst.BaseExpression]]:
    if dataset is None or depth > 4:
        return None
    if isinstance(dataset, cst.Name):
        binding = model.lookup(dataset.value, scope, model.order.get(dataset))
        if binding is not None and binding.kind == "assign" and binding.index is None:
            return _dataset_tensors(model, binding.value, binding.scope, depth + 1)
        return None
    if isinstance(dataset, cst.Call) and model.callee_qualname(dataset, scope) in _DATASETS:
        if any(arg.star or arg.keyword is not None for arg in dataset.args):
            return None
        return [arg.value for arg in dataset.args]
    return None


def _call_shape(model: SemanticModel, call: cst.Call, scope: Scope, depth: int) -> Optional[Shape]:
    qualname = model.callee_qualname(call, scope)
    args = _positional(call)
    if qualname in _SIZED_CONSTRUCTORS:
        return _size_argument(model, call, scope, args)
    if qualname == "torch.randint":
        size = model.argument(call, None, "size")
        if size is None:
            size = next((arg for arg in reversed(args) if isinstance(arg, (cst.Tuple, cst.List))), None)
        return _sizes(model, [e.value for e in size.elements], scope) if isinstance(size, (cst.Tuple, cst.List)) else None
    if qualname == "torch.full":
        size = model.argument(call, 0, "size")
        return _sizes(model, [e.value for e in size.elements], scope) if isinstance(size, (cst.Tuple, cst.List)) else None
    if qualname in _VECTOR_CONSTRUCTORS:
        return (None,)
    func = call.func
    if qualname is not None or not isinstance(func, cst.Attribute):
        return None
    method = func.attr.value
    base = tensor_shape(model, func.value, scope, depth + 1)
    if base is None:
        return None
    if method in _SAME_SHAPE_METHODS:
        return base
    if method == "unsqueeze" and args:
        dim = _normalise_dim(model.number(args[0], scope), len(base) + 1)
        return None if dim is None else base[:dim] + (1,) + base[dim:]
    if method == "squeeze":
        if not args:
            return None if None in base else tuple(d for d in base if d != 1)
        dim = _normalise_dim(model.number(args[0], scope), len(base))
        if dim is None or base[dim] is None:
            return None
        return base[:dim] + base[dim + 1:] if base[dim] == 1 else base
    if method in ("view", "reshape") and args:
        sizes = args[0].elements if len(args) == 1 and isinstance(args[0], (cst.Tuple, cst.List)) else None
        exprs = [e.value for e in sizes] if sizes is not None else args
        return _sizes(model, exprs, scope)
    if method in ("sum", "mean") and (args or model.argument(call, None, "dim") is not None):
        if model.argument(call, None, "keepdim") is not None:
            return None
        dim = _normalise_dim(model.number(model.argument(call, 0, "dim"), scope), len(base))
        return None if dim is None else base[:dim] + base[dim + 1:]
    return None


# ------------------------------------------------------------------------- model outputs
def unit_output_layer(model: SemanticModel, expr: Optional[cst.BaseExpression], scope: Scope, depth: int = 0) -> Optional[Tuple[SemanticModel, cst.CSTNode]]:
    """The ``Linear(h, 1)`` whose output an expression is, when nothing reshapes it afterwards (its last dim is 1)."""
    if expr is None or depth > _MAX_DEPTH:
        return None
    if isinstance(expr, cst.Name):
        binding = model.lookup(expr.value, scope, model.order.get(expr))
        if binding is not None and binding.kind in ("assign", "annassign", "walrus") and binding.index is None:
            return unit_output_layer(model, binding.value, binding.scope, depth + 1)
        return None
    if not isinstance(expr, cst.Call):
        return None
    qualname = model.callee_qualname(expr, scope)
    if qualname in api.ACTIVATION_FUNCTIONS:
        return unit_output_layer(model, model.argument(expr, 0, "input"), scope, depth + 1)
    func = expr.func
    if isinstance(func, cst.Attribute) and qualname is None and func.attr.value in _SAME_SHAPE_METHODS:
        receiver = model.object_of(func.value, scope)
        if receiver.kind == "unknown":
            return unit_output_layer(model, func.value, scope, depth + 1)
    obj = model.object_of(func, scope)
    if obj.kind in ("model", "layer"):
        return module_unit_output(model, obj, depth + 1)
    target = model.resolve_function(func, scope)
    if target is not None:
        owner = model.owner_of(target)
        if owner is not None and target.returns:
            found = [unit_output_layer(owner, ret.value, target.scope, depth + 1) for ret in target.returns]
            if all(found):
                return found[0]
    return None


def module_unit_output(model: SemanticModel, obj: Obj, depth: int = 0) -> Optional[Tuple[SemanticModel, cst.CSTNode]]:
    """The ``Linear(h, 1)`` a module's output comes from, if its forward ends there without reshaping."""
    if depth > _MAX_DEPTH:
        return None
    owner = obj.owner or model
    if obj.cls is not None:
        forward = owner.method_of(obj.cls, "forward")
        if forward is None or not forward.returns:
            return None
        forward_owner = forward.cls.owner if forward.cls is not None else owner
        found = [unit_output_layer(forward_owner, ret.value, forward.scope, depth + 1) for ret in forward.returns]
        return found[0] if all(found) else None
    if obj.qualname == api.NN + "Linear" and isinstance(obj.node, cst.Call) and obj.scope is not None:
        out_features = owner.number(owner.argument(obj.node, 1, "out_features"), obj.scope)
        return (owner, obj.node) if out_features == 1 else None
    if obj.qualname == api.NN + "Sequential" and isinstance(obj.node, cst.Call) and obj.scope is not None:
        elements = [arg.value for arg in obj.node.args if arg.keyword is None and not arg.star]
        for element in reversed(elements):
            element_obj = owner.object_of(element, obj.scope)
            if element_obj.qualname in _SHAPE_PRESERVING_LAYERS and element_obj.qualname != api.NN + "Flatten":
                continue
            return module_unit_output(owner, element_obj, depth + 1) if element_obj.kind != "unknown" else None
    return None
