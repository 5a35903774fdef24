"""Static tensor/array shapes, as far as the source spells them out.

A shape is a list of *dimension atoms*:

* ``("lit", n)`` a literal size (module constants folded in),
* ``("sym", key)`` a size held in a variable the source does not fold (``HEIGHT``),
* ``("axis", root, i)`` "axis *i* of the value ``root``" (``x.shape[1]``, ``x.size(1)``, or ``h`` from
  ``h, w, c = x.shape``), where ``root`` identifies the binding the value comes from,
* ``("infer",)`` the ``-1`` of a reshape, ``("opaque",)`` anything else.

Shapes are read from constructors (``torch.randn(n, 32, 32, 3)``, ``np.zeros((n, h, w, 3))``,
``rng.random((n, 32, 32, 3))``) and followed through operations that keep them (``from_numpy``,
``.float()``, ``.astype()``, arithmetic with scalars, helpers that return one value) and through
integer indexing (``images[i]`` drops the first axis).
"""

from __future__ import annotations

import math
from typing import Dict, List, Optional, Tuple

import libcst as cst

from nnlint.analysis.model import Scope, SemanticModel
from nnlint.analysis.values import is_numpy_generator, reaching_binding, self_attribute_values, single_return_value

Atom = Tuple[object, ...]
Shape = List[Atom]
OPAQUE: Atom = ("opaque",)
INFER: Atom = ("infer",)

_MAX_DEPTH = 10
# constructors whose positional arguments are the sizes (or one tuple of them)
_VARARG_FACTORIES = frozenset(
    {
        "torch.randn",
        "torch.rand",
        "torch.zeros",
        "torch.ones",
        "torch.empty",
        "numpy.random.rand",
        "numpy.random.randn",
    }
)
# constructors whose size is one argument: name -> (position, keyword)
_SIZE_ARG_FACTORIES = {
    "torch.full": (0, "size"),
    "numpy.zeros": (0, "shape"),
    "numpy.ones": (0, "shape"),
    "numpy.empty": (0, "shape"),
    "numpy.full": (0, "shape"),
    "numpy.random.random": (0, "size"),
    "numpy.random.random_sample": (0, "size"),
    "numpy.random.standard_normal": (0, "size"),
    "numpy.random.uniform": (2, "size"),
    "numpy.random.normal": (2, "size"),
    "numpy.random.randint": (2, "size"),
}
# numpy Generator / RandomState methods: name -> (position, keyword) of the size
_GENERATOR_METHODS: Dict[str, Tuple[Optional[int], Optional[str]]] = {
    "random": (0, "size"),
    "standard_normal": (0, "size"),
    "normal": (2, "size"),
    "uniform": (2, "size"),
    "integers": (2, "size"),
    "randint": (2, "size"),
    "rand": (None, None),
    "randn": (None, None),
}
# calls that return their (first) argument's shape unchanged
_SAME_SHAPE_FUNCTIONS = frozenset(
    {
        "torch.from_numpy",
        "torch.as_tensor",
        "torch.tensor",
        "torch.clone",
        "numpy.asarray",
        "numpy.array",
        "numpy.ascontiguousarray",
        "numpy.float32",
    }
)
_SAME_SHAPE_METHODS = frozenset(
    {
        "float",
        "double",
        "half",
        "long",
        "int",
        "bool",
        "astype",
        "to",
        "cuda",
        "cpu",
        "contiguous",
        "clone",
        "detach",
        "numpy",
        "type",
        "type_as",
        "copy",
        "requires_grad_",
    }
)
_ARITHMETIC = (cst.Add, cst.Subtract, cst.Multiply, cst.Divide, cst.FloorDivide, cst.Power, cst.Modulo)


def shape_of(model: SemanticModel, expr: Optional[cst.BaseExpression], scope: Scope, depth: int = 0) -> Optional[Shape]:
    """The shape of the value an expression holds, when the source spells it out."""
    if expr is None or depth > _MAX_DEPTH:
        return None
    if isinstance(expr, cst.Name):
        binding = reaching_binding(model, expr, scope)
        if binding is None or binding.index is not None or binding.value is None:
            return None
        if binding.kind not in ("assign", "annassign", "walrus"):
            return None
        return shape_of(model, binding.value, binding.scope, depth + 1)
    if isinstance(expr, cst.Attribute):
        values = self_attribute_values(model, expr, scope)
        if len(values) == 1:
            value, value_scope, owner = values[0]
            return shape_of(owner, value, value_scope, depth + 1)
        return None
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, _ARITHMETIC):
        left = shape_of(model, expr.left, scope, depth + 1)
        right = shape_of(model, expr.right, scope, depth + 1)
        if left is not None and (right is None and _is_scalar(model, expr.right, scope) or right == left):
            return left
        if right is not None and left is None and _is_scalar(model, expr.left, scope):
            return right
        return None
    if isinstance(expr, cst.UnaryOperation):
        return shape_of(model, expr.expression, scope, depth + 1)
    if isinstance(expr, cst.Subscript):
        return _indexed_shape(model, expr, scope, depth)
    if isinstance(expr, cst.Call):
        return _call_shape(model, expr, scope, depth)
    return None


def _is_scalar(model: SemanticModel, expr: cst.BaseExpression, scope: Scope) -> bool:
    return model.number(expr, scope) is not None


def _indexed_shape(model: SemanticModel, expr: cst.Subscript, scope: Scope, depth: int) -> Optional[Shape]:
    if len(expr.slice) != 1:
        return None
    base = shape_of(model, expr.value, scope, depth + 1)
    if not base:
        return None
    index = expr.slice[0].slice
    if isinstance(index, cst.Slice):
        return [OPAQUE, *base[1:]]
    if isinstance(index, cst.Index) and isinstance(index.value, (cst.Name, cst.Integer, cst.Attribute)):
        return base[1:]
    return None


def _call_shape(model: SemanticModel, call: cst.Call, scope: Scope, depth: int) -> Optional[Shape]:
    qualname = model.callee_qualname(call, scope)
    if qualname in _VARARG_FACTORIES:
        return _sizes_from_varargs(model, call, scope)
    if qualname in _SIZE_ARG_FACTORIES:
        position, keyword = _SIZE_ARG_FACTORIES[qualname]
        return _sizes_from_arg(model, model.argument(call, position, keyword), scope)
    if qualname == "torch.randint":
        size = model.argument(call, None, "size")
        if size is None:
            positional = [a.value for a in call.args if a.keyword is None and not a.star]
            size = positional[-1] if positional and isinstance(positional[-1], (cst.Tuple, cst.List)) else None
        return _sizes_from_arg(model, size, scope)
    if qualname in _SAME_SHAPE_FUNCTIONS:
        return shape_of(model, model.argument(call, 0, None), scope, depth + 1)
    image = _decoded_image_shape(model, call, qualname, scope, depth)
    if image is not None:
        return image
    func = call.func
    if isinstance(func, cst.Attribute) and qualname is None:
        method = func.attr.value
        if method in _SAME_SHAPE_METHODS:
            return shape_of(model, func.value, scope, depth + 1)
        if method in _GENERATOR_METHODS and is_numpy_generator(model, func.value, scope):
            size_at, size_keyword = _GENERATOR_METHODS[method]
            if size_at is None:
                return _sizes_from_varargs(model, call, scope)
            return _sizes_from_arg(model, model.argument(call, size_at, size_keyword), scope)
    returned = single_return_value(model, call, scope)
    if returned is not None:
        value, func_scope, owner = returned
        return shape_of(owner, value, func_scope, depth + 1)
    return None


def _decoded_image_shape(
    model: SemanticModel, call: cst.Call, qualname: Optional[str], scope: Scope, depth: int
) -> Optional[Shape]:
    """Images as decoders hand them back, channels last: ``cv2.imread`` (H, W, 3), ``cv2.cvtColor(..., COLOR_*2RGB)``,
    ``cv2.resize`` (new H, W), PIL's ``.convert("RGB")`` (H, W, 3) seen through ``np.array``."""
    if qualname == "cv2.imread":
        flag = model.argument(call, 1, "flags")
        if flag is None or (model.qualname(flag, scope) or "").endswith("IMREAD_COLOR"):
            return [("dim", id(call), 0), ("dim", id(call), 1), ("lit", 3)]
        return None
    if qualname == "cv2.cvtColor":
        code = (
            (model.qualname(code_arg, scope) or "") if (code_arg := model.argument(call, 1, "code")) is not None else ""
        )
        target = code.rsplit("2", 1)[-1] if "2" in code else ""
        channels = {"RGB": 3, "BGR": 3, "HSV": 3, "LAB": 3, "Lab": 3, "YUV": 3, "RGBA": 4, "BGRA": 4}.get(target)
        return [("dim", id(call), 0), ("dim", id(call), 1), ("lit", channels)] if channels else None
    if qualname == "cv2.resize":
        source = shape_of(model, model.argument(call, 0, "src"), scope, depth + 1)
        if source is not None and len(source) == 3:
            return [("dim", id(call), 0), ("dim", id(call), 1), source[2]]
        return None
    func = call.func
    if qualname is None and isinstance(func, cst.Attribute) and func.attr.value == "convert" and call.args:
        mode = call.args[0].value
        if isinstance(mode, cst.SimpleString):
            channels = {"RGB": 3, "RGBA": 4, "CMYK": 4}.get(mode.evaluated_value)  # type: ignore[arg-type]  # bytes: None
            if channels:
                return [("dim", id(call), 0), ("dim", id(call), 1), ("lit", channels)]
    return None


def _sizes_from_varargs(model: SemanticModel, call: cst.Call, scope: Scope) -> Optional[Shape]:
    positional = [a.value for a in call.args if a.keyword is None]
    if any(a.star for a in call.args):
        return None
    if len(positional) == 1 and isinstance(positional[0], (cst.Tuple, cst.List)):
        return _sizes_from_arg(model, positional[0], scope)
    if not positional:
        return _sizes_from_arg(model, model.argument(call, None, "size"), scope)
    return [dim_atom(model, p, scope) for p in positional]


def _sizes_from_arg(model: SemanticModel, expr: Optional[cst.BaseExpression], scope: Scope) -> Optional[Shape]:
    if expr is None:
        return None
    if isinstance(expr, (cst.Tuple, cst.List)):
        if any(isinstance(e, cst.StarredElement) for e in expr.elements):
            return None
        return [dim_atom(model, e.value, scope) for e in expr.elements]
    atom = dim_atom(model, expr, scope)
    return [atom] if atom != OPAQUE else None


def dim_atom(model: SemanticModel, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> Atom:
    """The dimension atom a size expression denotes."""
    value = model.number(expr, scope)
    if value is not None:
        if not math.isfinite(value):
            return OPAQUE
        if value == -1:
            return INFER
        return ("lit", int(value)) if value == int(value) else OPAQUE
    axis = _axis_reference(model, expr, scope)
    if axis is not None:
        return axis
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Multiply) and depth < 4:
        merged = _merged_axes(
            dim_atom(model, expr.left, scope, depth + 1), dim_atom(model, expr.right, scope, depth + 1)
        )
        if merged is not None:
            return merged
    if isinstance(expr, cst.Name) and depth < 4:
        binding = reaching_binding(model, expr, scope)
        if binding is None:
            return OPAQUE
        if binding.index is not None and len(binding.index) == 1 and binding.value is not None:
            if isinstance(binding.value, (cst.Tuple, cst.List)) and binding.index[0] < len(binding.value.elements):
                return dim_atom(model, binding.value.elements[binding.index[0]].value, binding.scope, depth + 1)
            source = _shape_source(binding.value)
            if source is not None:
                return ("axis", value_root(model, source, binding.scope), binding.index[0])
            return ("sym", id(binding))
        if binding.kind in ("assign", "annassign") and binding.value is not None:
            inner = dim_atom(model, binding.value, binding.scope, depth + 1)
            return inner if inner != OPAQUE else ("sym", id(binding))
        return ("sym", id(binding))
    return OPAQUE


def axis_span(atom: Atom) -> Optional[Tuple[object, Tuple[int, ...]]]:
    """(root, axes) of an atom that is one axis of a tensor or several of its axes flattened together."""
    if atom[0] == "axis" and isinstance(atom[2], int):
        return atom[1], (atom[2],)
    if atom[0] == "axes" and isinstance(atom[2], tuple):
        return atom[1], atom[2]
    return None


def _merged_axes(left: Atom, right: Atom) -> Optional[Atom]:
    """``x.shape[2] * x.shape[3]``: the size of axes of one tensor flattened together, as
    ("axes", root, (2, 3)); None for any other product. A product does not order its factors (``w * h`` is
    the size of the same flattened axes), so the axes are kept in ascending order."""
    first, second = axis_span(left), axis_span(right)
    if first is None or second is None or first[0] != second[0]:
        return None
    return ("axes", first[0], tuple(sorted(first[1] + second[1])))


def _axis_reference(model: SemanticModel, expr: cst.BaseExpression, scope: Scope) -> Optional[Atom]:
    """``x.shape[i]`` / ``x.size(i)`` / ``x.shape[i]`` -> ("axis", root of x, i)."""
    if isinstance(expr, cst.Subscript) and len(expr.slice) == 1:
        source = _shape_source(expr.value)
        index = expr.slice[0].slice
        if source is not None and isinstance(index, cst.Index):
            position = model.number(index.value, scope)
            if position is not None and math.isfinite(position) and position == int(position):
                return ("axis", value_root(model, source, scope), int(position))
    if (
        isinstance(expr, cst.Call)
        and isinstance(expr.func, cst.Attribute)
        and expr.func.attr.value == "size"
        and len(expr.args) == 1
    ):
        position = model.number(expr.args[0].value, scope)
        if position is not None and math.isfinite(position) and position == int(position):
            return ("axis", value_root(model, expr.func.value, scope), int(position))
    return None


def _shape_source(expr: cst.BaseExpression) -> Optional[cst.BaseExpression]:
    """``x`` for ``x.shape`` or ``x.size()``."""
    if isinstance(expr, cst.Attribute) and expr.attr.value == "shape":
        return expr.value
    if (
        isinstance(expr, cst.Call)
        and isinstance(expr.func, cst.Attribute)
        and expr.func.attr.value == "size"
        and not expr.args
    ):
        return expr.func.value
    return None


def value_root(model: SemanticModel, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> object:
    """An identity for "the same array": follows names and shape-keeping conversions back to their origin."""
    if depth > _MAX_DEPTH:
        return ("expr", id(expr))
    if isinstance(expr, cst.Name):
        binding = reaching_binding(model, expr, scope)
        if binding is None:
            return ("name", expr.value)
        if binding.kind in ("assign", "annassign") and binding.index is None and binding.value is not None:
            operand = _shape_kept_operand(model, binding.value, binding.scope)
            if operand is not None:
                return value_root(model, operand, binding.scope, depth + 1)
        return ("binding", id(binding))
    operand = _shape_kept_operand(model, expr, scope)
    if operand is not None:
        return value_root(model, operand, scope, depth + 1)
    return ("expr", id(expr))


def _shape_kept_operand(model: SemanticModel, expr: cst.BaseExpression, scope: Scope) -> Optional[cst.BaseExpression]:
    """``x`` for ``torch.from_numpy(x)``, ``x.float()``, ``x.astype(...)``, ``x / 255``, ``-x``: conversions and
    arithmetic with a plain number, which keep the shape."""
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, _ARITHMETIC):
        if _is_scalar(model, expr.right, scope):
            return expr.left
        if _is_scalar(model, expr.left, scope):
            return expr.right
        return None
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, (cst.Minus, cst.Plus)):
        return expr.expression
    if not isinstance(expr, cst.Call):
        return None
    qualname = model.callee_qualname(expr, scope)
    if qualname in _SAME_SHAPE_FUNCTIONS:
        return expr.args[0].value if expr.args and expr.args[0].keyword is None else None
    func = expr.func
    if qualname is None and isinstance(func, cst.Attribute) and func.attr.value in _SAME_SHAPE_METHODS:
        return func.value
    return None


def axis_origins(
    model: SemanticModel, expr: cst.BaseExpression, scope: Scope, depth: int = 0, offset: int = 0
) -> List[Tuple[object, int]]:
    """Every (root, offset) such that axis *i* of the value is axis *i + offset* of the array ``root``
    identifies (see :func:`value_root`): the value's own root first (offset 0), then the arrays it was
    indexed out of. Integer indexing drops leading axes: ``im[0]`` has offset 1 from ``im``, so
    ``im[0].view(im.shape[2], ...)`` names the child's axis 1. Followed through names and conversions."""
    found = [(value_root(model, expr, scope), offset)]
    if depth > _MAX_DEPTH:
        return found
    inner: List[Tuple[object, int]] = []
    if isinstance(expr, cst.Subscript):
        dropped = _leading_integer_indices(model, expr, scope)
        if dropped:
            inner = axis_origins(model, expr.value, scope, depth + 1, offset + dropped)
    elif isinstance(expr, cst.Name):
        binding = reaching_binding(model, expr, scope)
        if (
            binding is not None
            and binding.kind in ("assign", "annassign")
            and binding.index is None
            and binding.value is not None
        ):
            inner = axis_origins(model, binding.value, binding.scope, depth + 1, offset)
    else:
        operand = _shape_kept_operand(model, expr, scope)
        if operand is not None:
            inner = axis_origins(model, operand, scope, depth + 1, offset)
    for origin in inner:
        if all(origin[0] != known for known, _ in found):
            found.append(origin)
    return found


def _leading_integer_indices(model: SemanticModel, expr: cst.Subscript, scope: Scope) -> int:
    """How many leading axes ``x[0]`` / ``x[0, 1]`` drop (0 when any index is a slice, mask or unknown)."""
    for element in expr.slice:
        index = element.slice
        if not isinstance(index, cst.Index) or index.star is not None:
            return 0
        if not is_integer_index(model, index.value, scope):
            return 0
    return len(expr.slice)


def is_integer_index(model: SemanticModel, expr: cst.BaseExpression, scope: Scope) -> bool:
    """A literal integer, a loop counter (``i`` of ``for i in range(...)`` / ``for i, x in enumerate(...)``),
    or the index a ``Dataset.__getitem__(self, index)`` is called with."""
    number = model.number(expr, scope)
    if number is not None:
        return math.isfinite(number) and number == int(number)
    if not isinstance(expr, cst.Name):
        return False
    binding = reaching_binding(model, expr, scope)
    if binding is not None and binding.kind == "param":
        func = binding.scope.function
        return (
            func is not None
            and func.name == "__getitem__"
            and func.cls is not None
            and func.params[1:2] == [binding.name]
        )
    if binding is None or binding.kind != "for" or not isinstance(binding.value, cst.Call):
        return False
    counter = binding.value.func
    if not isinstance(counter, cst.Name) or model.lookup(counter.value, scope) is not None:
        return False  # a shadowed builtin is not the builtin
    return (counter.value == "range" and binding.index is None) or (
        counter.value == "enumerate" and binding.index == (0,)
    )


def reshape_target(model: SemanticModel, call: cst.Call, scope: Scope) -> Optional[Tuple[cst.BaseExpression, Shape]]:
    """(reshaped value, target shape) for ``x.reshape(...)``/``x.view(...)``/``torch.reshape``/``np.reshape``."""
    qualname = model.callee_qualname(call, scope)
    if qualname in ("torch.reshape", "numpy.reshape"):
        source = model.argument(call, 0, "input" if qualname.startswith("torch") else "a")
        target = model.argument(call, 1, "shape" if qualname.startswith("torch") else "newshape")
        if source is None or target is None:
            return None
        shape = _sizes_from_arg(model, target, scope)
        return (source, shape) if shape else None
    func = call.func
    if qualname is not None or not isinstance(func, cst.Attribute) or func.attr.value not in ("reshape", "view"):
        return None
    if any(a.keyword is not None or a.star for a in call.args) or not call.args:
        return None
    if len(call.args) == 1:
        shape = _sizes_from_arg(model, call.args[0].value, scope)
    else:
        shape = [dim_atom(model, a.value, scope) for a in call.args]
    return (func.value, shape) if shape else None
