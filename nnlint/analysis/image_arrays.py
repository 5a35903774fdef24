"""Shapes of images read from files into arrays: ``np.array(Image.open(path).convert("L"))`` is
``(H, W)``, ``.convert("RGB")`` gives ``(H, W, 3)``, ``cv2.imread(path)`` ``(H, W, 3)`` and
``cv2.imread(path, cv2.IMREAD_GRAYSCALE)`` ``(H, W)``. Height and width are sizes of their own, taken as
more than 1.

An image opened without a mode (``np.array(Image.open(path))``) has as many channels as the file: none
for a grayscale or paletted PNG, 3 or 4 for a colour one. Its shape is unknown, unless a caller asks under
an assumption (:func:`assuming`): ``"gray"`` reads it as ``(H, W)``, ``"color"`` as ``(H, W, C)``. A rule
that needs the answer to hold whatever the file holds asks under both, and only where the plain query
touched such an image (:func:`open_images`).

Part of the shape analysis of :mod:`~nnlint.analysis.batch_shapes`.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator, Optional, Tuple

import libcst as cst

from nnlint.analysis import batch_shapes
from nnlint.analysis.dims import Dim, Size, TensorShape, known
from nnlint.analysis.model import Scope, SemanticModel

ARRAY_FUNCTIONS = frozenset({"numpy.array", "numpy.asarray", "numpy.ascontiguousarray"})
IMAGE_READERS = frozenset({"cv2.imread"})
_OPEN = frozenset({"PIL.Image.open"})
_MODE_KEEPING = frozenset({"resize", "crop", "rotate", "transpose", "copy", "filter", "thumbnail"})
_GRAY_MODES = frozenset({"1", "L", "P", "I", "F", "I;16", "I;16B", "I;16L"})
_CHANNELS = {"LA": 2, "RGB": 3, "YCbCr": 3, "LAB": 3, "HSV": 3, "RGBA": 4, "RGBa": 4, "CMYK": 4, "RGBX": 4}
_CV2_GRAY = frozenset({"cv2.IMREAD_GRAYSCALE", "cv2.IMREAD_REDUCED_GRAYSCALE_2"})
_CV2_COLOR = frozenset({"cv2.IMREAD_COLOR", "cv2.IMREAD_REDUCED_COLOR_2"})
_MAX_HOPS = 6

_ASSUMPTION: ContextVar[Optional[str]] = ContextVar("nnlint_image_channels", default=None)  # "gray" | "color"
_open_seen = 0  # images of unknown mode met so far (any file): only ever compared before and after a query


def assumption() -> Optional[str]:
    return _ASSUMPTION.get()


def open_images() -> int:
    """How many times a shape query has met an image of unknown mode (compare before and after a query)."""
    return _open_seen


def met_open_image() -> None:
    global _open_seen
    _open_seen += 1


@contextmanager
def assuming(channels: str) -> Iterator[None]:
    """Shape queries inside read an image of unknown mode as ``"gray"`` ``(H, W)`` or ``"color"`` ``(H, W, C)``."""
    token = _ASSUMPTION.set(channels)
    try:
        yield
    finally:
        _ASSUMPTION.reset(token)


def array_shape(model: SemanticModel, call: cst.Call, scope: Scope, depth: int) -> Optional[TensorShape]:
    """``np.array(x)``: an image's shape for a PIL image, else the shape of ``x`` (an array or a tensor)."""
    source = model.argument(call, 0, "object")
    if source is None:
        return None
    image = _pil_image(model, source, scope)
    if image is not None:
        return _image_shape(image, call)
    return batch_shapes.tensor_shape(model, source, scope, depth + 1)


def imread_shape(model: SemanticModel, call: cst.Call, scope: Scope) -> Optional[TensorShape]:
    """``cv2.imread(path[, flags])``: ``(H, W, 3)`` by default, ``(H, W)`` read as grayscale."""
    flags = model.argument(call, 1, "flags")
    if flags is None:
        return _image_shape(3, call)
    number = model.number(flags, scope)
    qualname = model.qualname(flags, scope)
    if number == 0 or qualname in _CV2_GRAY:
        return _image_shape(0, call)
    if number == 1 or qualname in _CV2_COLOR:
        return _image_shape(3, call)
    return None


def _pil_image(model: SemanticModel, expr: cst.BaseExpression, scope: Scope) -> Optional[object]:
    """For a PIL image: its channel count (0 for a single-channel mode), or ``"open"`` for a mode the
    source does not set; None for anything else."""
    for _ in range(_MAX_HOPS):
        if isinstance(expr, cst.Name):
            binding = model.reaching_value(expr, scope)
            if binding is None or binding.kind not in ("assign", "annassign") or binding.index is not None:
                return None
            if binding.value is None:
                return None
            expr, scope = binding.value, binding.scope
            continue
        if not isinstance(expr, cst.Call):
            return None
        if model.callee_qualname(expr, scope) in _OPEN:
            return "open"
        func = expr.func
        if not isinstance(func, cst.Attribute):
            return None
        if func.attr.value == "convert":
            mode = model.argument(expr, 0, "mode")
            inner = _pil_image(model, func.value, scope)
            if inner is None or not isinstance(mode, cst.SimpleString):
                return None
            name = str(mode.evaluated_value)
            return 0 if name in _GRAY_MODES else _CHANNELS.get(name)
        if func.attr.value not in _MODE_KEEPING:
            return None
        expr = func.value
    return None


def _image_shape(channels: object, call: cst.Call) -> Optional[TensorShape]:
    height, width = _sides(call)
    if channels == "open":
        met_open_image()
        assumed = _ASSUMPTION.get()
        if assumed == "gray":
            return known((height, width))
        if assumed == "color":
            return known((height, width, Size(("image-channels", id(call)), "C", True)))
        return None
    if channels == 0:
        return known((height, width))
    if isinstance(channels, int):
        return known((height, width, channels))
    return None


def _sides(call: cst.Call) -> Tuple[Dim, Dim]:
    return Size(("image-height", id(call)), "H", True), Size(("image-width", id(call)), "W", True)
