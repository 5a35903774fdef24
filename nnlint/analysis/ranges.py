"""Value ranges of tensors, as far as the source proves them (interval arithmetic over the data's origin).

``value_range`` answers "which values can this tensor hold?" with an interval ``(lo, hi)`` (``-inf``/
``inf`` for unbounded) or None when the source does not say. It knows the random constructors
(``torch.randn`` is unbounded, ``torch.rand`` lies in [0, 1)), bounded functions (``sigmoid``,
``tanh``, ``clamp``), standardisation (``(y - y.mean()) / y.std()`` takes both signs), arithmetic,
and follows batches back through a DataLoader to the ``TensorDataset`` component they come from.
"""

from __future__ import annotations

import math
from typing import Optional, Tuple

import libcst as cst

from nnlint.analysis.loaders import iterated_loader
from nnlint.analysis.model import Scope, SemanticModel
from nnlint.analysis.values import is_numpy_generator, reaching_binding, self_attribute_values, single_return_value

Range = Tuple[float, float]
INF = math.inf
UNBOUNDED: Range = (-INF, INF)
UNIT: Range = (0.0, 1.0)
_MAX_DEPTH = 14

_UNBOUNDED_SOURCES = frozenset(
    {
        "torch.randn",
        "torch.randn_like",
        "torch.normal",
        "numpy.random.randn",
        "numpy.random.standard_normal",
        "numpy.random.normal",
    }
)
_UNIT_SOURCES = frozenset(
    {"torch.rand", "torch.rand_like", "numpy.random.rand", "numpy.random.random", "numpy.random.random_sample"}
)
_BOUNDED_FUNCTIONS = {
    "torch.sigmoid": UNIT,
    "torch.nn.functional.sigmoid": UNIT,
    "torch.special.expit": UNIT,
    "torch.tanh": (-1.0, 1.0),
    "torch.nn.functional.tanh": (-1.0, 1.0),
    "torch.sin": (-1.0, 1.0),
    "torch.cos": (-1.0, 1.0),
    "numpy.sin": (-1.0, 1.0),
    "numpy.cos": (-1.0, 1.0),
    "torch.relu": (0.0, INF),
    "torch.nn.functional.relu": (0.0, INF),
    "torch.abs": (0.0, INF),
    "torch.exp": (0.0, INF),
    "numpy.exp": (0.0, INF),
    "numpy.abs": (0.0, INF),
    "torch.nn.functional.softplus": (0.0, INF),
}
_BOUNDED_METHODS = {
    "sigmoid": UNIT,
    "tanh": (-1.0, 1.0),
    "sin": (-1.0, 1.0),
    "cos": (-1.0, 1.0),
    "relu": (0.0, INF),
    "abs": (0.0, INF),
    "exp": (0.0, INF),
}
_SAME_VALUE_FUNCTIONS = frozenset(
    {
        "torch.from_numpy",
        "torch.as_tensor",
        "torch.tensor",
        "torch.flatten",
        "torch.squeeze",
        "torch.unsqueeze",
        "torch.reshape",
        "numpy.asarray",
        "numpy.array",
        "numpy.ascontiguousarray",
        "numpy.float32",
    }
)
_SAME_VALUE_METHODS = frozenset(
    {
        "float",
        "double",
        "half",
        "astype",
        "to",
        "cuda",
        "cpu",
        "contiguous",
        "clone",
        "detach",
        "numpy",
        "view",
        "reshape",
        "unsqueeze",
        "squeeze",
        "flatten",
        "view_as",
        "reshape_as",
        "type",
        "type_as",
        "mean",
        "max",
        "min",
        "median",
        "copy",
        "permute",
        "transpose",
        "t",
    }
)
_STANDARDISERS = frozenset({"fit_transform", "transform"})


def value_range(
    model: SemanticModel, expr: Optional[cst.BaseExpression], scope: Scope, depth: int = 0
) -> Optional[Range]:
    """The interval every value of a tensor lies in, or None when the source does not prove one."""
    if expr is None or depth > _MAX_DEPTH:
        return None
    number = model.number(expr, scope)
    if number is not None:
        return (number, number)
    if isinstance(expr, cst.Name):
        return _name_range(model, expr, scope, depth)
    if isinstance(expr, cst.Attribute):
        values = self_attribute_values(model, expr, scope)
        ranges = [value_range(owner, value, value_scope, depth + 1) for value, value_scope, owner in values]
        return _union(ranges) if ranges else None
    if isinstance(expr, cst.Subscript):
        return value_range(model, expr.value, scope, depth + 1)
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
        inner = value_range(model, expr.expression, scope, depth + 1)
        return (-inner[1], -inner[0]) if inner else None
    if isinstance(expr, cst.BinaryOperation):
        return _binary_range(model, expr, scope, depth)
    if isinstance(expr, cst.Call):
        return _call_range(model, expr, scope, depth)
    return None


def _name_range(model: SemanticModel, name: cst.Name, scope: Scope, depth: int) -> Optional[Range]:
    binding = reaching_binding(model, name, scope)
    if binding is None:
        return None
    if binding.kind == "for" and binding.value is not None and binding.index is not None:
        return _batch_component_range(model, binding.value, binding.index, binding.scope, depth)
    if binding.kind == "param" and binding.scope.function is not None:
        func = binding.scope.function
        ranges = []
        for caller in model.callers(func):
            passed = model.argument(caller.node, func.param_index(binding.name), binding.name)
            if passed is not None:
                ranges.append(value_range(model, passed, caller.scope, depth + 1))
            else:
                ranges.append(value_range(model, binding.value, func.outer, depth + 1))
        return _union(ranges) if ranges else None
    if binding.index is not None or binding.value is None or binding.kind not in ("assign", "annassign", "walrus"):
        return None
    return value_range(model, binding.value, binding.scope, depth + 1)


def _batch_component_range(
    model: SemanticModel, iterable: cst.BaseExpression, index: Tuple[int, ...], scope: Scope, depth: int
) -> Optional[Range]:
    """``yb`` in ``for xb, yb in loader``: the range of the matching TensorDataset tensor."""
    if isinstance(iterable, cst.Call) and model.callee_qualname(iterable, scope) == "enumerate":
        if len(index) < 2 or index[0] != 1 or not iterable.args:
            return None
        iterable, index = iterable.args[0].value, index[1:]
    loaders = iterated_loader(model, iterable, scope)
    if len(loaders) != 1 or len(index) != 1:
        return None
    loader = loaders[0]
    if not isinstance(loader.node, cst.Call) or loader.owner is None or loader.scope is None:
        return None
    owner = loader.owner
    dataset = owner.argument(loader.node, 0, "dataset")
    found = _tensor_dataset(owner, dataset, loader.scope, depth)
    if found is None:
        return None
    tensors, dataset_scope, dataset_owner = found
    if index[0] >= len(tensors):
        return None
    return value_range(dataset_owner, tensors[index[0]], dataset_scope, depth + 1)


def _tensor_dataset(model: SemanticModel, expr: Optional[cst.BaseExpression], scope: Scope, depth: int):
    """(component tensors, scope, file) of the ``TensorDataset(...)`` an expression holds."""
    if expr is None or depth > _MAX_DEPTH:
        return None
    if isinstance(expr, cst.Call):
        if model.callee_qualname(expr, scope) == "torch.utils.data.TensorDataset":
            if any(a.star or a.keyword is not None for a in expr.args):
                return None
            return [a.value for a in expr.args], scope, model
        returned = single_return_value(model, expr, scope)
        if returned is not None:
            return _tensor_dataset(returned[2], returned[0], returned[1], depth + 1)
        return None
    if isinstance(expr, cst.Name):
        binding = reaching_binding(model, expr, scope)
        if binding is None or binding.value is None:
            return None
        if binding.index is not None:
            obj_source = _unpacked_dataset(model, binding, depth)
            return obj_source
        if binding.kind in ("assign", "annassign"):
            return _tensor_dataset(model, binding.value, binding.scope, depth + 1)
    return None


def _unpacked_dataset(model: SemanticModel, binding, depth: int):
    """``train_ds, val_ds = make_data()`` where make_data returns ``TensorDataset(...), TensorDataset(...)``."""
    if not isinstance(binding.value, cst.Call) or len(binding.index) != 1:
        return None
    returned = single_return_value(model, binding.value, binding.scope)
    if returned is None or not isinstance(returned[0], cst.Tuple):
        return None
    elements = returned[0].elements
    if binding.index[0] >= len(elements):
        return None
    return _tensor_dataset(returned[2], elements[binding.index[0]].value, returned[1], depth + 1)


def _binary_range(model: SemanticModel, expr: cst.BinaryOperation, scope: Scope, depth: int) -> Optional[Range]:
    operator = expr.operator
    if isinstance(operator, cst.Subtract) and _is_mean(expr.right):
        return UNBOUNDED  # centring: the result takes both signs
    left = value_range(model, expr.left, scope, depth + 1)
    right = value_range(model, expr.right, scope, depth + 1)
    if isinstance(operator, cst.MatrixMultiply):
        if left and right and (_straddles(left) or _straddles(right)) and left != (0.0, 0.0) and right != (0.0, 0.0):
            return UNBOUNDED
        return None
    if isinstance(operator, cst.Power):
        exponent = model.number(expr.right, scope)
        if exponent is not None and math.isfinite(exponent) and exponent == int(exponent) and int(exponent) % 2 == 0:
            return (0.0, INF)
        if left is not None and left[0] >= 0:
            return (0.0, INF)
        return None
    if isinstance(operator, cst.Divide) and left == UNBOUNDED:
        return UNBOUNDED  # a both-signs, unbounded tensor stays so under any scale
    if left is None or right is None:
        return None
    if isinstance(operator, cst.Add):
        return (left[0] + right[0], left[1] + right[1])
    if isinstance(operator, cst.Subtract):
        return (left[0] - right[1], left[1] - right[0])
    if isinstance(operator, cst.Multiply):
        return _product(left, right)
    if isinstance(operator, cst.Divide):
        if right[0] == right[1] and right[0] != 0.0:
            return _product(left, (1.0 / right[0], 1.0 / right[0]))
        if right[0] > 0:  # a positive scale such as a standard deviation: only the signs survive
            return (-INF if left[0] < 0 else 0.0, INF if left[1] > 0 else 0.0)
        return None
    return None


def _product(a: Range, b: Range) -> Range:
    candidates = []
    for x in a:
        for y in b:
            if (x == 0.0 and math.isinf(y)) or (y == 0.0 and math.isinf(x)):
                candidates.append(0.0)
            else:
                candidates.append(x * y)
    return (min(candidates), max(candidates))


def _straddles(r: Range) -> bool:
    return r[0] < 0 < r[1]


def _is_mean(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.Call):
        func = expr.func
        if isinstance(func, cst.Attribute) and func.attr.value == "mean":
            return True
    return False


def _call_range(model: SemanticModel, call: cst.Call, scope: Scope, depth: int) -> Optional[Range]:
    qualname = model.callee_qualname(call, scope)
    func = call.func
    method = func.attr.value if isinstance(func, cst.Attribute) and qualname is None else None
    if qualname in _UNBOUNDED_SOURCES:
        return UNBOUNDED
    if qualname in _UNIT_SOURCES:
        return UNIT
    if qualname in ("torch.randint", "numpy.random.randint"):
        return _randint_range(model, call, scope)
    if qualname == "numpy.random.uniform":
        return _uniform_range(model, call, scope)
    if qualname in _BOUNDED_FUNCTIONS:
        return _BOUNDED_FUNCTIONS[qualname]
    if qualname in ("torch.clamp", "torch.clip", "numpy.clip"):
        return _clamp_range(model, call, scope, model.argument(call, 0, None), 1, depth)
    if qualname in (
        "torch.cat",
        "torch.stack",
        "torch.concat",
        "numpy.concatenate",
        "numpy.stack",
        "numpy.vstack",
        "numpy.hstack",
    ):
        sequence = model.argument(call, 0, None)
        if isinstance(sequence, (cst.List, cst.Tuple)):
            return _union([value_range(model, e.value, scope, depth + 1) for e in sequence.elements])
        return None
    if qualname in _SAME_VALUE_FUNCTIONS:
        return value_range(model, model.argument(call, 0, None), scope, depth + 1)
    if qualname == "torch.sum" or method == "sum":
        inner = value_range(
            model,
            func.value if isinstance(func, cst.Attribute) and method else model.argument(call, 0, None),
            scope,
            depth + 1,
        )
        if inner is None:
            return None
        return (-INF if inner[0] < 0 else 0.0, INF if inner[1] > 0 else 0.0)
    if method is not None:
        receiver = func.value  # type: ignore[attr-defined]
        if method in ("clamp", "clip", "clamp_", "clip_"):
            return _clamp_range(model, call, scope, receiver, 0, depth)
        if method in _BOUNDED_METHODS:
            return _BOUNDED_METHODS[method]
        if method in _SAME_VALUE_METHODS:
            return value_range(model, receiver, scope, depth + 1)
        if method in _STANDARDISERS and _is_scaler(model, receiver, scope):
            return UNBOUNDED
        if is_numpy_generator(model, receiver, scope):
            if method in ("standard_normal", "normal", "randn"):
                return UNBOUNDED
            if method in ("random", "rand"):
                return UNIT
            if method == "uniform":
                return _uniform_range(model, call, scope)
            if method in ("integers", "randint"):
                return _randint_range(model, call, scope)
        return None
    returned = single_return_value(model, call, scope)
    if returned is not None:
        return value_range(returned[2], returned[0], returned[1], depth + 1)
    return None


def _randint_range(model: SemanticModel, call: cst.Call, scope: Scope) -> Optional[Range]:
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    numbers = [model.number(p, scope) for p in positional if not isinstance(p, (cst.Tuple, cst.List))]
    low = model.number(model.argument(call, None, "low"), scope)
    high = model.number(model.argument(call, None, "high"), scope)
    if high is None and low is None:
        if len(numbers) >= 2 and None not in numbers[:2]:
            low, high = numbers[0], numbers[1]
        elif len(numbers) == 1 and numbers[0] is not None:
            low, high = 0.0, numbers[0]
    if low is None or high is None:
        return None
    return (low, high - 1)  # integers below an exclusive upper bound


def _uniform_range(model: SemanticModel, call: cst.Call, scope: Scope) -> Optional[Range]:
    low = model.argument(call, 0, "low")
    high = model.argument(call, 1, "high")
    lo = 0.0 if low is None else model.number(low, scope)
    hi = 1.0 if high is None else model.number(high, scope)
    if lo is None or hi is None:
        return None
    return (lo, hi)


def _clamp_range(
    model: SemanticModel, call: cst.Call, scope: Scope, operand, offset: int, depth: int
) -> Optional[Range]:
    low = model.number(model.argument(call, offset, "min"), scope)
    high = model.number(model.argument(call, offset + 1, "max"), scope)
    inner = value_range(model, operand, scope, depth + 1) or UNBOUNDED
    return (max(inner[0], low if low is not None else -INF), min(inner[1], high if high is not None else INF))


def _is_scaler(model: SemanticModel, expr: cst.BaseExpression, scope: Scope) -> bool:
    """``StandardScaler()`` or a name bound to one: its output is centred, so it takes both signs."""
    target = expr
    if isinstance(expr, cst.Name):
        binding = reaching_binding(model, expr, scope)
        if binding is None or binding.index is not None or binding.value is None:
            return False
        target = binding.value
        scope = binding.scope
    if isinstance(target, cst.Call):
        return (model.callee_qualname(target, scope) or "").endswith("StandardScaler")
    return False


def _union(ranges) -> Optional[Range]:
    if not ranges or any(r is None for r in ranges):
        return None
    return (min(r[0] for r in ranges), max(r[1] for r in ranges))


def contains(outer: Range, inner: Range) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1]
