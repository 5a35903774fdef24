"""Output shapes of calls that run code: layers (``Linear(h, k)`` gives ``(..., k)`` whatever its input),
``nn.Sequential`` chains, user modules (what their ``forward`` returns, tuples included) and user
functions and methods (what every ``return`` gives, when the returns agree).

Part of the shape analysis of :mod:`~nnlint.analysis.batch_shapes` (which asks this module about calls).
"""

from __future__ import annotations

from typing import List, Optional

import libcst as cst

from nnlint.analysis import batch_shapes
from nnlint.analysis import torch_api as api
from nnlint.analysis.dims import Dim, TensorShape, with_last
from nnlint.analysis.model import FunctionInfo, Obj, Scope, SemanticModel
from nnlint.analysis.sizes import size_of

_MAX_DEPTH = 40
_LINEAR = {
    api.NN + "Linear": (1, "out_features"),
    api.NN + "LazyLinear": (0, "out_features"),
    api.NN + "Bilinear": (2, "out_features"),
}
_CONVOLUTIONS = {
    **{api.NN + f"Conv{n}d": n for n in (1, 2, 3)},
    **{api.NN + f"ConvTranspose{n}d": n for n in (1, 2, 3)},
}
_MODE_AXES = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}
RESAMPLING_FUNCTIONS = frozenset(
    api.NN + "functional." + name for name in ("interpolate", "upsample", "upsample_bilinear", "upsample_nearest")
)
RESAMPLING_LAYERS = {api.NN + "Upsample": None, api.NN + "UpsamplingBilinear2d": 2, api.NN + "UpsamplingNearest2d": 2}
_SHAPE_PRESERVING = (
    (frozenset(api.ACTIVATION_CLASSES) - {api.NN + "Flatten"})
    | api.DROPOUT_CLASSES
    | api.BATCHNORM_CLASSES
    | frozenset(
        api.NN + n
        for n in ("LayerNorm", "GroupNorm", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "LocalResponseNorm")
    )
)


def call_output(model: SemanticModel, call: cst.Call, scope: Scope, depth: int = 0) -> Optional[TensorShape]:
    """The shape of what a call to a layer, a model or a user function returns."""
    if depth > _MAX_DEPTH:
        return None
    obj = model.called_object(call, scope)
    if obj.kind in ("model", "layer"):
        first = _first_argument(call)
        given = batch_shapes.tensor_shape(model, first, scope, depth + 1) if first is not None else None
        return module_output(model, obj, given, depth + 1)
    target = model.resolve_function(call.func, scope)
    if target is None:
        return None
    return _agreed(_returned(model, target, None, depth + 1))


def call_output_element(
    model: SemanticModel, call: cst.Call, index: int, scope: Scope, depth: int = 0
) -> Optional[TensorShape]:
    """The shape of element ``index`` of the tuple a model or user function returns (``a, b = net(x)``)."""
    if depth > _MAX_DEPTH:
        return None
    function = _function_run_by(model, call, scope)
    if function is None:
        return None
    return _agreed(_returned(model, function, index, depth + 1))


def returns_tuple(model: SemanticModel, call: cst.Call, scope: Scope) -> bool:
    """Whether every ``return`` of the model or function a call runs returns a tuple display."""
    function = _function_run_by(model, call, scope)
    returns = [r for r in function.returns if r.value is not None] if function is not None else []
    return bool(returns) and all(isinstance(r.value, cst.Tuple) for r in returns)


def _function_run_by(model: SemanticModel, call: cst.Call, scope: Scope) -> Optional[FunctionInfo]:
    obj = model.called_object(call, scope)
    if obj.kind == "model" and obj.cls is not None:
        return obj.cls.owner.method_of(obj.cls, "forward")
    if obj.kind in ("model", "layer"):
        return None
    return model.resolve_function(call.func, scope)


def _first_argument(call: cst.Call) -> Optional[cst.BaseExpression]:
    for arg in call.args:
        if arg.star:
            return None
        if arg.keyword is None:
            return arg.value
    return None


def _returned(
    model: SemanticModel, function: FunctionInfo, index: Optional[int], depth: int
) -> List[Optional[TensorShape]]:
    owner = model.owner_of(function) or model
    values = [r.value for r in function.returns if r.value is not None]
    if index is None:
        return [batch_shapes.tensor_shape(owner, value, function.scope, depth) for value in values]
    return [batch_shapes.element_shape(owner, value, index, function.scope, depth) for value in values]


def _agreed(shapes: List[Optional[TensorShape]]) -> Optional[TensorShape]:
    if not shapes or any(shape is None for shape in shapes) or len(set(shapes)) != 1:
        return None
    return shapes[0]


def module_output(
    model: SemanticModel, obj: Obj, given: Optional[TensorShape], depth: int = 0
) -> Optional[TensorShape]:
    """The shape a module gives an input of shape ``given`` (None: unknown input)."""
    if depth > _MAX_DEPTH:
        return None
    owner = obj.owner or model
    if obj.cls is not None:
        forward = owner.method_of(obj.cls, "forward")
        return _agreed(_returned(owner, forward, None, depth + 1)) if forward is not None else None
    if not isinstance(obj.node, cst.Call) or obj.scope is None or obj.qualname is None:
        return None
    node, qualname, scope = obj.node, obj.qualname, obj.scope
    if qualname in _LINEAR:
        position, keyword = _LINEAR[qualname]
        return with_last(given, size_of(owner, owner.argument(node, position, keyword), scope))
    if qualname in _CONVOLUTIONS:
        return _convolved(
            given, size_of(owner, owner.argument(node, 1, "out_channels"), scope), _CONVOLUTIONS[qualname]
        )
    if qualname == api.NN + "Embedding":
        width = size_of(owner, owner.argument(node, 1, "embedding_dim"), scope)
        return (
            TensorShape(given.dims + (width,), given.exact) if given is not None else TensorShape((width,), exact=False)
        )
    if qualname in _SHAPE_PRESERVING:
        return given
    if qualname in RESAMPLING_LAYERS:
        return resampled(owner, node, given, RESAMPLING_LAYERS[qualname], layer=True)
    if qualname == api.NN + "Sequential":
        shape = given
        for element in node.args:
            if element.star or element.keyword is not None:
                return None
            shape = module_output(owner, owner.object_of(element.value, scope), shape, depth + 1)
        return shape
    return None


def resampled(
    model: SemanticModel,
    call: cst.Call,
    given: Optional[TensorShape],
    spatial: Optional[int] = None,
    layer: bool = False,
) -> Optional[TensorShape]:
    """``F.interpolate(x, ...)`` / ``nn.Upsample(...)``: ``(N, C, *spatial)`` with new spatial sizes. How many
    axes are spatial comes from the layer, the ``mode`` (``"bilinear"``: 2), a ``size``/``scale_factor``
    tuple, or an exact input rank."""
    if given is None:
        return None
    offset = 0 if layer else 1  # interpolate(input, size, scale_factor, mode) / Upsample(size, scale_factor, mode)
    if spatial is None:
        mode = model.argument(call, offset + 2, "mode")
        if isinstance(mode, cst.SimpleString):
            spatial = _MODE_AXES.get(str(mode.evaluated_value))
    if spatial is None:
        for keyword, position in (("size", offset), ("scale_factor", offset + 1)):
            value = model.argument(call, position, keyword)
            if isinstance(value, (cst.Tuple, cst.List)) and not any(
                isinstance(e, cst.StarredElement) for e in value.elements
            ):
                spatial = len(value.elements)
    if spatial is None and given.exact and len(given.dims) >= 3:
        spatial = len(given.dims) - 2
    if spatial is None or len(given.dims) < spatial + 1 or (given.exact and len(given.dims) != spatial + 2):
        return None
    return TensorShape(given.dims[: len(given.dims) - spatial] + (None,) * spatial, given.exact)


def _convolved(given: Optional[TensorShape], channels: Dim, spatial: int) -> TensorShape:
    """``(N, C, *spatial)`` -> ``(N, channels, ?...)``: the spatial sizes depend on kernel, stride and padding."""
    tail = (channels,) + (None,) * spatial
    if given is not None and given.exact and len(given.dims) >= spatial + 1:
        return TensorShape(given.dims[: len(given.dims) - spatial - 1] + tail, True)
    return TensorShape(tail, exact=False)
