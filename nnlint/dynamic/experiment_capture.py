"""Child side of ``--experiments``: capture what is needed to replay the first training step's loss.

During the first step the recorder hands this module every training forward of a root model (its
arguments, cloned) and the first training loss. A :class:`Replay` results when the loss can be computed
again from a fresh forward of the model:

* *inside*: the loss was computed in the model's own forward (nanoGPT's ``model(x, y)`` returning
  ``(logits, loss)``): the replay takes the same element of the new output;
* *outside*: the loss function was called on an element of the model's output, or on a contiguous
  reshape of it (``output.view(-1, C)``): the replay calls the same function with the same (cloned)
  target and options.

Anything else (a loss on a transformed output, several models, a custom loss) gives no replay, and the
experiments say so instead of guessing.
"""

from __future__ import annotations

import dataclasses
import sys
import weakref
from dataclasses import dataclass, field
from types import FrameType
from typing import Any, Callable, Dict, List, Optional, Tuple

import torch
from torch import nn

Path = Tuple[Any, ...]


def walk(value: Any, path: Path = (), depth: int = 0) -> List[Tuple[Path, torch.Tensor]]:
    """Every tensor in a nest of tuples, lists and dicts, with its path."""
    if isinstance(value, torch.Tensor):
        return [(path, value)]
    if depth > 4:
        return []
    if isinstance(value, dict):
        return [item for key, sub in value.items() for item in walk(sub, path + (key,), depth + 1)]
    if isinstance(value, (list, tuple)):
        return [item for index, sub in enumerate(value) for item in walk(sub, path + (index,), depth + 1)]
    return []


def extract(value: Any, path: Path) -> Any:
    for key in path:
        value = value[key]
    return value


def map_tensors(value: Any, function: Callable[[Path, torch.Tensor], Any], path: Path = (), depth: int = 0) -> Any:
    """The same nest with every tensor replaced by ``function(path, tensor)`` (other leaves kept)."""
    if isinstance(value, torch.Tensor):
        return function(path, value)
    if depth > 4:
        return value
    if isinstance(value, dict):
        try:
            return type(value)(
                (key, map_tensors(sub, function, path + (key,), depth + 1)) for key, sub in value.items()
            )
        except Exception:
            return {key: map_tensors(sub, function, path + (key,), depth + 1) for key, sub in value.items()}
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(map_tensors(sub, function, path + (i,), depth + 1) for i, sub in enumerate(value))
    if isinstance(value, list):
        return [map_tensors(sub, function, path + (i,), depth + 1) for i, sub in enumerate(value)]
    return value


def clone(value: Any) -> Any:
    return map_tensors(value, lambda _path, tensor: tensor.detach().clone())


def storage(tensor: torch.Tensor) -> Optional[int]:
    try:
        return tensor.untyped_storage().data_ptr()
    except Exception:
        return None


def call_kwargs(module: nn.Module) -> Dict[str, Any]:
    """The keyword arguments of the module call now starting (global pre-hooks do not receive them): read
    from ``Module._call_impl``'s frame; empty when it cannot be found."""
    target = getattr(nn.Module._call_impl, "__code__", None)
    frame: Optional[FrameType] = sys._getframe(1)
    for _ in range(12):
        if frame is None:
            break
        if frame.f_code is target and frame.f_locals.get("self") is module:
            return dict(frame.f_locals.get("kwargs") or {})
        frame = frame.f_back
    return {}


@dataclass
class RootCall:
    root: nn.Module
    args: Tuple[Any, ...]
    kwargs: Dict[str, Any]
    storages: List[Optional[int]]  # storage of each input tensor (walk order of (args, kwargs)), before cloning
    where: Any
    outputs: Dict[int, Tuple[Path, "weakref.ref[torch.Tensor]"]] = field(default_factory=dict)


@dataclass
class Replay:
    """How to compute the first training loss again on (a copy of) the model."""

    root: nn.Module
    args: Tuple[Any, ...]
    kwargs: Dict[str, Any]
    mode: str  # inside | outside
    path: Path
    loss_key: str
    where: Any  # the loss call's user frames
    model_where: Any  # the model call's user frames
    keep: List[bool]  # per input tensor: True when it holds the target's values (inside mode): never zeroed
    function: Optional[Callable[..., torch.Tensor]] = None
    target: Optional[torch.Tensor] = None
    extra_args: Tuple[Any, ...] = ()
    loss_kwargs: Dict[str, Any] = field(default_factory=dict)
    shape: Optional[List[int]] = None  # outside: the loss input is the output reshaped to this

    def loss(self, model: nn.Module, args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> torch.Tensor:
        output = model(*args, **kwargs)
        value = extract(output, self.path)
        if self.mode == "inside":
            return value.mean() if value.dim() else value
        if self.shape is not None:
            value = value.reshape(self.shape)
        assert self.function is not None
        return self.function(value, self.target, *self.extra_args, **self.loss_kwargs)

    def output_of(self, output: Any) -> Optional[torch.Tensor]:
        """The model output the loss is computed from: the per-sample tensor the batch experiments use."""
        if self.mode == "outside":
            value = extract(output, self.path)
            return value if isinstance(value, torch.Tensor) else None
        for path, tensor in walk(output):
            if tensor.is_floating_point() and tensor.dim() >= 1 and path != self.path:
                return tensor
        return None

    def zeroed(self) -> Tuple[Tuple[Any, ...], Dict[str, Any]]:
        """The inputs with every tensor zeroed, except those the target is made from; (args, kwargs)."""
        order = [path for path, _ in walk((self.args, self.kwargs))]
        keep = {path for path, kept in zip(order, self.keep) if kept}
        zeroed = map_tensors((self.args, self.kwargs), lambda path, t: t if path in keep else torch.zeros_like(t))
        return tuple(zeroed[0]), dict(zeroed[1])

    def first_samples(self, count: int) -> "Replay":
        """The same replay on the batch's first ``count`` samples (cheaper steps: "overfit a few examples"),
        when every input, and the target, has the batch on axis 0; else this replay, whole."""
        tensors = [t for _, t in walk((self.args, self.kwargs))]
        if not tensors or any(t.dim() == 0 for t in tensors):
            return self
        batch = tensors[0].shape[0]
        if batch <= count or any(t.shape[0] != batch for t in tensors):
            return self
        if self.mode == "outside" and (
            self.shape is not None or self.target is None or self.target.dim() == 0 or self.target.shape[0] != batch
        ):
            return self
        args, kwargs = map_tensors((self.args, self.kwargs), lambda _path, t: t[:count].clone())
        target = self.target[:count].clone() if self.mode == "outside" and self.target is not None else self.target
        return dataclasses.replace(self, args=tuple(args), kwargs=dict(kwargs), target=target)

    def zeroes_anything(self) -> bool:
        return not all(self.keep) and bool(self.keep)

    def target_varies(self) -> Optional[bool]:
        """Whether the samples' targets differ (a constant target can be fitted without any input)."""
        target = self.target
        if self.mode == "inside":
            tensors = [t for (path, t), kept in zip(walk((self.args, self.kwargs)), self.keep) if kept]
            target = tensors[0] if tensors else None
        if not isinstance(target, torch.Tensor) or target.dim() == 0 or target.shape[0] < 2:
            return None
        flat = target.detach().reshape(target.shape[0], -1)
        return bool((flat != flat[:1]).any().item())


class Capture:
    """Fed by the recorder during the first step; ``replay`` is set once the first training loss is understood."""

    def __init__(self) -> None:
        self.call: Optional[RootCall] = None
        self.replay: Optional[Replay] = None
        self.why_not: Optional[str] = None
        self._inside: Optional[Tuple[str, "weakref.ref[torch.Tensor]", Any, Optional[torch.Tensor]]] = None

    def done(self) -> bool:
        return self.replay is not None or self.why_not is not None

    def on_root_start(self, root: nn.Module, args: Tuple[Any, ...], where: Any) -> None:
        if self.done():
            return
        kwargs = call_kwargs(root)
        inputs = walk((args, kwargs))
        self.call = RootCall(root, clone(args), clone(kwargs), [storage(t) for _, t in inputs], where)
        self._inside = None

    def on_root_end(self, root: nn.Module, output: Any) -> None:
        call = self.call
        if self.done() or call is None or call.root is not root:
            return
        call.outputs = {id(t): (path, weakref.ref(t)) for path, t in walk(output)}
        if self._inside is None:
            return
        key, loss_ref, where, target = self._inside
        loss = loss_ref()
        found = call.outputs.get(id(loss)) if loss is not None else None
        if found is None or found[1]() is not loss:
            self.why_not = "the loss is computed inside the model's forward but is not part of its output"
            return
        keep = [_same_values(t, target) for _, t in walk((call.args, call.kwargs))]
        self.replay = Replay(call.root, call.args, call.kwargs, "inside", found[0], key, where, call.where, keep)

    def on_loss(
        self,
        key: str,
        function: Optional[Callable[..., torch.Tensor]],
        args: Tuple[Any, ...],
        kwargs: Dict[str, Any],
        out: Any,
        inside: bool,
        where: Any,
    ) -> None:
        if self.done() or not isinstance(out, torch.Tensor) or not out.requires_grad:
            return
        inputs = args[0] if args else kwargs.get("input")
        target = args[1] if len(args) > 1 else kwargs.get("target")
        if inside:
            self._inside = (
                key,
                weakref.ref(out),
                where,
                target.detach().clone() if isinstance(target, torch.Tensor) else None,
            )
            return
        call = self.call
        if (
            call is None
            or not isinstance(inputs, torch.Tensor)
            or not isinstance(target, torch.Tensor)
            or function is None
        ):
            self.why_not = "the first training loss does not come from a model's output"
            return
        path, shape = self._locate(call, inputs)
        if path is None:
            self.why_not = (
                "the first training loss is computed from a transformed model output, which cannot be replayed"
            )
            return
        rest = {k: v for k, v in kwargs.items() if k not in ("input", "target")}
        self.replay = Replay(
            call.root,
            call.args,
            call.kwargs,
            "outside",
            path,
            key,
            where,
            call.where,
            [False] * len(call.storages),
            function=function,
            target=target.detach().clone(),
            extra_args=clone(tuple(args[2:])),
            loss_kwargs=clone(rest),
            shape=shape,
        )

    @staticmethod
    def _locate(call: RootCall, inputs: torch.Tensor) -> Tuple[Optional[Path], Optional[List[int]]]:
        found = call.outputs.get(id(inputs))
        if found is not None and found[1]() is inputs:
            return found[0], None
        for path, ref in call.outputs.values():
            tensor = ref()
            if tensor is None or tensor.numel() != inputs.numel() or storage(tensor) != storage(inputs):
                continue
            if tensor.is_contiguous() and inputs.is_contiguous() and tensor.storage_offset() == inputs.storage_offset():
                return path, list(inputs.shape)
        return None, None


def _same_values(tensor: torch.Tensor, target: Optional[torch.Tensor]) -> bool:
    """Whether an input holds the target's values (nanoGPT's ``y``, the target being ``y.view(-1)``)."""
    if (
        target is None
        or tensor.numel() != target.numel()
        or tensor.dtype != target.dtype
        or tensor.device != target.device
    ):
        return False
    return bool(torch.equal(tensor.reshape(-1), target.reshape(-1)))


def loss_function(key: str) -> Optional[Callable[..., torch.Tensor]]:
    """``F.cross_entropy`` -> ``torch.nn.functional.cross_entropy``."""
    if not key.startswith("F."):
        return None
    return getattr(torch.nn.functional, key[2:], None)


def mode_layers_batch_first(root: nn.Module) -> bool:
    """False when the model holds a layer whose inputs are sequence-first (dim 0 is not the batch)."""
    for module in root.modules():
        if isinstance(module, (nn.RNNBase, nn.MultiheadAttention)) and not getattr(module, "batch_first", False):
            return False
    return True
