"""The recorder's tables and pure helpers (child side): which torch functions it watches, its budget's
constants, and functions of tensors, shapes and optimizers it needs."""

from __future__ import annotations

import math
from typing import Any, Dict, List, Optional

import torch
from torch import nn

LOSSES = {
    "F.cross_entropy": "cross_entropy",
    "F.nll_loss": "nll",
    "F.binary_cross_entropy": "bce",
    "F.binary_cross_entropy_with_logits": "bce_with_logits",
    "F.mse_loss": "mse",
    "F.l1_loss": "l1",
    "F.smooth_l1_loss": "smooth_l1",
    "F.huber_loss": "huber",
    "F.soft_margin_loss": "soft_margin",
}
RESHAPES = {"Tensor.reshape", "Tensor.view", "torch.reshape"}
DROPOUTS = {"F.dropout", "F.alpha_dropout", "F.feature_alpha_dropout", "F.dropout1d", "F.dropout2d", "F.dropout3d"}
RELUS = {"F.relu", "F.relu6", "torch.relu", "torch.relu_", "Tensor.relu", "Tensor.relu_"}
CONSTANT_INITS = {
    "Tensor.zero_",
    "Tensor.fill_",
    "torch.nn.init.constant_",
    "torch.nn.init.zeros_",
    "torch.nn.init.ones_",
}
FACTORIES = {"torch.zeros", "torch.ones", "torch.full", "torch.zeros_like", "torch.ones_like", "torch.full_like"}
PRODUCERS = {
    "F.softmax",
    "torch.softmax",
    "Tensor.softmax",
    "F.log_softmax",
    "torch.log_softmax",
    "Tensor.log_softmax",
    "torch.sigmoid",
    "Tensor.sigmoid",
    "F.sigmoid",
    "torch.log",
    "Tensor.log",
    "torch.tanh",
    "Tensor.tanh",
    "F.tanh",
    "F.relu",
    "torch.relu",
    "Tensor.relu",
}
BACKWARDS = {"Tensor.backward", "torch.autograd.backward"}
# operations whose output is still "the batch's" tensor (moved, cast, reshaped, indexed): a label's lineage
LINEAGE = {
    "Tensor.to",
    "Tensor.cuda",
    "Tensor.cpu",
    "Tensor.long",
    "Tensor.int",
    "Tensor.float",
    "Tensor.double",
    "Tensor.half",
    "Tensor.bool",
    "Tensor.type",
    "Tensor.view",
    "Tensor.view_as",
    "Tensor.reshape",
    "Tensor.reshape_as",
    "Tensor.squeeze",
    "Tensor.unsqueeze",
    "Tensor.flatten",
    "Tensor.__getitem__",
    "Tensor.contiguous",
    "Tensor.clone",
    "Tensor.detach",
    "Tensor.argmax",
    "torch.argmax",
    "torch.squeeze",
    "torch.flatten",
    "torch.reshape",
    "Tensor.to_dense",
    "Tensor.t",
}
# operations a residual branch's output passes through before it is added back (dropout, layer scale, reshapes)
BRANCH_PASS = DROPOUTS | {
    "Tensor.view",
    "Tensor.reshape",
    "Tensor.transpose",
    "Tensor.permute",
    "Tensor.contiguous",
    "Tensor.__mul__",
    "Tensor.__rmul__",
    "Tensor.mul",
    "torch.mul",
    "Tensor.flatten",
    "Tensor.squeeze",
    "Tensor.unsqueeze",
}
ADDS = {"Tensor.__add__", "Tensor.__radd__", "Tensor.__iadd__", "Tensor.add", "Tensor.add_", "torch.add"}
_SKIP_FINITE = ("__get__", "__set__", "Tensor.__setitem__", "Tensor.backward", "torch.autograd.backward")
MODE_LAYERS = (nn.modules.dropout._DropoutNd, nn.modules.batchnorm._BatchNorm)
LIMIT_PER_SITE = 3
# evaluation after the first step: this many forwards, then 5 s more (a budget as long as the run's own time to its
# first step made minGPT chargpt's run 5.3x its plain run, and still did not reach the end of its sampling)
EVAL_FORWARDS, EVAL_SECONDS = 20, 5.0
# skimming: where the budget would stop the run before it has seen what a probe needs, the script runs on
# uninstrumented to get there: to the training backward after an evaluation that sits between the first two steps
# (NN402, NN502), for the EVAL_SECONDS such an evaluation had instrumented; to an evaluation at all, when the
# script's own loop trains on past its second step (NN501, NN503), for this fraction of the CPU time it took to its
# first step (within these bounds, in seconds); CPU time, so that a machine others load gets the same work done
SKIM_FRACTION, SKIM_MIN_SECONDS, SKIM_MAX_SECONDS = 1.0, 3.0, 10.0
SKIM_WALL_FACTOR = 3.0


def func_key(func: Any) -> str:
    qual = getattr(func, "__qualname__", None) or getattr(func, "__name__", None) or repr(func)
    module = getattr(func, "__module__", None) or ""
    head, _, rest = qual.partition(".")
    if head in ("TensorBase", "Tensor", "_TensorBase") and rest:
        return "Tensor." + rest
    if head == "_VariableFunctionsClass" and rest:
        return "torch." + rest
    if module == "torch.nn.functional":
        return "F." + qual
    if module in ("torch", "torch.functional"):
        return "torch." + qual
    return f"{module}.{qual}" if module else qual


def _first_tensor(values: Any) -> Optional[torch.Tensor]:
    for value in values:
        if isinstance(value, torch.Tensor):
            return value
    return None


def _flat_tensors(value: Any, depth: int = 0) -> List[torch.Tensor]:
    if isinstance(value, torch.Tensor):
        return [value]
    if depth > 3:
        return []
    if isinstance(value, dict):
        return [t for item in value.values() for t in _flat_tensors(item, depth + 1)]
    if isinstance(value, (list, tuple)):
        return [t for item in value for t in _flat_tensors(item, depth + 1)]
    return []


def permutes_axes(before: List[int], after: List[int]) -> bool:
    """Whether a reshape lists the input's axes in another order, size-1 axes aside, after merging (or
    splitting) leading axes: (32, 32, 3) -> (3, 32, 32), and (B, T, H, W, 3) -> (B*T, 3, H, W)."""
    source = [d for d in before if d != 1]
    target = [d for d in after if d != 1]
    for merged in range(len(source) - 1):
        for into in range(len(target) - 1):
            if math.prod(source[:merged]) != math.prod(target[:into]):
                continue
            rest, moved = source[merged:], target[into:]
            if sorted(rest) == sorted(moved) and rest != moved:
                return True
    return False


def _broadcastable(a: torch.Size, b: torch.Size) -> bool:
    try:
        torch.broadcast_shapes(a, b)
        return True
    except RuntimeError:
        return False


def _safe_len(value: Any) -> Optional[int]:
    try:
        return len(value)
    except Exception:
        return None


def _optimizer_info(optimizer: torch.optim.Optimizer, where: Any, primary: bool) -> Dict[str, Any]:
    """An optimizer's class, call site and settings per param group (``lr``, ``momentum``,
    ``weight_decay``, ``betas``...: every plain hyperparameter, tensors as numbers), at its first step."""
    groups = []
    for group in optimizer.param_groups:
        settings: Dict[str, Any] = {"params": len(group.get("params", []))}
        for key, value in group.items():
            if key == "params":
                continue
            plain = _plain_setting(value)
            if plain is not _NOT_PLAIN:
                settings[str(key)] = plain
        groups.append(settings)
    return {"class": type(optimizer).__name__, "where": where, "primary": primary, "param_groups": groups}


_NOT_PLAIN = object()


def _plain_setting(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return float(value.detach().item())
    if isinstance(value, (tuple, list)) and len(value) <= 8:
        items = [_plain_setting(item) for item in value]
        return _NOT_PLAIN if any(item is _NOT_PLAIN for item in items) else items
    return _NOT_PLAIN


def _is_embedding_weight(param: torch.Tensor, roots: Dict[int, nn.Module]) -> bool:
    for root in roots.values():
        for module in root.modules():
            if isinstance(module, (nn.Embedding, nn.EmbeddingBag)) and module.weight is param:
                return True
    return False


def _dataset_labels(dataset: Any) -> Optional[torch.Tensor]:
    """All labels of a data set when they are cheap to read (TensorDataset, ``.targets``/``.labels``)."""
    try:
        from torch.utils.data import Subset, TensorDataset

        if isinstance(dataset, Subset):
            labels = _dataset_labels(dataset.dataset)
            return None if labels is None else labels[torch.as_tensor(list(dataset.indices), dtype=torch.long)]
        if isinstance(dataset, TensorDataset) and len(dataset.tensors) >= 2:
            candidate: Any = dataset.tensors[-1]
        else:
            candidate = getattr(dataset, "targets", None)
            if candidate is None:
                candidate = getattr(dataset, "labels", None)
            if candidate is None:
                return None
            candidate = torch.as_tensor(candidate)
        if (
            candidate.dim() != 1
            or candidate.is_floating_point()
            and not bool(((candidate == 0) | (candidate == 1)).all())
        ):
            return None
        return candidate.detach().cpu()[:1_000_000]
    except Exception:
        return None
