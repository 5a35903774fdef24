"""Child side of ``--experiments``: four experiments on the captured model and first batch (NN901-NN904).

Run once, right after the script's first optimizer step, while the recorder is busy (so nothing here is
observed as the script's own work). The script's state is left as it was:

* NN901 *overfit one batch* and NN902 *input independence* train deep copies of the model together with
  its optimizer (same class, param groups, learning rates, state), on the first batch's first samples
  and on the same samples with their inputs zeroed, with the copy's dropout modules off (its other
  layers, batch norm included, stay in training mode);
* NN903 *batch independence* and NN904 *eval determinism* run the original model itself in eval mode, so
  that every module and closure that runs is in the mode ``model.eval()`` really sets (a copy's forward
  may call the original's modules through a captured closure, which ``eval()`` on the copy never
  reaches); its modules' modes, buffers, gradients and the random number generators are restored
  after.

Functions held as module attributes are remade on the copy with their closures pointing at the copy's
modules (:func:`rebind_closures`). Should a copy's forward still reach the original's parameters (a
global, a closure held elsewhere), the training experiments' results are dropped: they would not be the copy's, and the
original's gradients are put back.
Every experiment shares one time budget; one that does not fit says so. The results are plain numbers
(see ``nnlint.dynamic.experiment_results``, which judges them in nnlint's process).
"""

from __future__ import annotations

import copy
import math
import time
import types
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from .experiment_capture import Replay, map_tensors, mode_layers_batch_first, walk

_PER_SAMPLE = 8
_DROPOUT_FUNCTIONS = ("dropout", "alpha_dropout", "feature_alpha_dropout", "dropout1d", "dropout2d", "dropout3d")


def run_all(
    replay: Replay,
    optimizers: Sequence[torch.optim.Optimizer],
    steps: int,
    budget: float,
    where: Callable[[], Any],
    samples: int = 16,
) -> Dict[str, Any]:
    """``samples``: NN901/NN902 train on the batch's first samples only (the whole batch where its axis 0
    is not clearly the batch); NN903/NN904 use the whole batch."""
    started = time.monotonic()
    report: Dict[str, Any] = {
        "asked_steps": steps,
        "budget_seconds": round(budget, 3),
        "results": {},
        "skipped": {},
        "where": replay.where,
        "model_where": replay.model_where,
        "model": type(replay.root).__name__,
    }
    held = [p for optimizer in optimizers for group in optimizer.param_groups for p in group["params"]]
    with _preserved(replay.root, held) as leaked, torch.enable_grad():
        _attempt(report, "NN904", lambda: eval_determinism(replay, where))
        _attempt(report, "NN903", lambda: batch_independence(replay))
        optimizer = _optimizer_of(replay.root, optimizers)
        if optimizer is None:
            for code in ("NN901", "NN902"):
                report["skipped"][code] = "no optimizer holds the model's parameters"
        else:
            remaining = budget - (time.monotonic() - started)
            half = time.monotonic() + remaining / 2
            few = replay.first_samples(samples)
            report["samples"] = _batch_size(few)
            floor = loss_floor(few)
            _attempt(report, "NN901", lambda: train_copy(few, optimizer, few.args, few.kwargs, steps, half, floor))
            first = report["results"].get("NN901")
            if first is None:
                report["skipped"].setdefault("NN902", "the overfitting run did not complete")
            elif not few.zeroes_anything():
                report["skipped"]["NN902"] = "every model input also makes the target"
            elif few.target_varies() is not True:
                report["skipped"]["NN902"] = (
                    "the targets are the same for every sample: they can be fitted without any input"
                )
            else:
                args, kwargs = few.zeroed()
                end = started + budget
                _attempt(
                    report,
                    "NN902",
                    lambda: dict(train_copy(few, optimizer, args, kwargs, first["steps"], end, floor), real=first),
                )
        if leaked():
            for code in ("NN901", "NN902"):
                if report["results"].pop(code, None) is not None:
                    report["skipped"][code] = (
                        "the model's copy reached the original's parameters (a closure or a global in its forward)"
                    )
    report["seconds"] = round(time.monotonic() - started, 3)
    return report


def _batch_size(replay: Replay) -> Optional[int]:
    tensors = [t for _, t in walk((replay.args, replay.kwargs)) if t.dim() >= 1]
    return int(tensors[0].shape[0]) if tensors else None


def _attempt(report: Dict[str, Any], code: str, experiment: Callable[[], Optional[Dict[str, Any]]]) -> None:
    try:
        result = experiment()
    except Skip as why:
        report["skipped"][code] = str(why)
        return
    except Exception as error:  # never break the user's run: say why it could not run
        report["skipped"][code] = f"it raised {type(error).__name__}: {str(error)[:300]}"
        return
    if result is not None:
        report["results"][code] = result


class Skip(Exception):
    """An experiment that cannot say anything on this model or batch (the message says why)."""


@contextmanager
def _preserved(root: nn.Module, held: Sequence[torch.Tensor] = ()) -> Iterator[Callable[[], bool]]:
    """Restores the original model's modes, buffers, gradients (and those of the parameters the optimizers
    ``held``) and the RNG states; yields a function telling whether anything wrote gradients into those
    parameters meanwhile."""
    modes = [(module, module.training) for module in root.modules()]
    buffers = [
        (module, name, buffer, buffer.detach().clone())
        for module in root.modules()
        for name, buffer in module._buffers.items()
        if buffer is not None
    ]
    params = list({id(p): p for p in [*root.parameters(), *held]}.values())
    grads = [(p, p.grad) for p in params]
    for p in params:
        p.grad = None
    cpu_rng = torch.get_rng_state()
    cuda_rng = torch.cuda.get_rng_state_all() if torch.cuda.is_available() and torch.cuda.is_initialized() else None
    try:
        yield lambda: any(p.grad is not None for p in params)
    finally:
        for module, training in modes:
            module.training = training
        with torch.no_grad():
            for module, name, buffer, saved in buffers:
                module._buffers[name] = buffer
                buffer.copy_(saved)
        for p, grad in grads:
            p.grad = grad
        torch.set_rng_state(cpu_rng)
        if cuda_rng is not None:
            torch.cuda.set_rng_state_all(cuda_rng)


def _optimizer_of(root: nn.Module, optimizers: Sequence[torch.optim.Optimizer]) -> Optional[torch.optim.Optimizer]:
    """The optimizer that holds most of the model's parameters."""
    own = {id(p) for p in root.parameters() if p.requires_grad}
    best, count = None, 0
    for optimizer in optimizers:
        held = sum(1 for g in optimizer.param_groups for p in g["params"] if id(p) in own)
        if held > count:
            best, count = optimizer, held
    return best


def _names(root: nn.Module) -> Dict[int, str]:
    return {
        id(module): (f"{type(root).__name__}.{name}" if name else type(root).__name__)
        for name, module in root.named_modules()
    }


def _floats(output: Any) -> List[torch.Tensor]:
    return [t for _, t in walk(output) if t.is_floating_point()]


class _DropoutWatch(TorchFunctionMode):
    """Notes every functional dropout that runs with ``training=True`` (where, from the recorder's frames)."""

    def __init__(self, where: Callable[[], Any]) -> None:
        super().__init__()
        self.where = where
        self.calls: List[Any] = []
        self.in_module = 0  # inside an nn.Dropout's forward: its F.dropout is the module's, reported as such

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if (
            getattr(func, "__module__", None) == "torch.nn.functional"
            and getattr(func, "__name__", "") in _DROPOUT_FUNCTIONS
        ):
            training = kwargs.get("training", args[2] if len(args) > 2 else True)
            probability = kwargs.get("p", args[1] if len(args) > 1 else 0.5)
            if training and probability and not self.in_module and len(self.calls) < 4:
                self.calls.append(self.where())
        return func(*args, **kwargs)


def eval_determinism(replay: Replay, where: Callable[[], Any]) -> Dict[str, Any]:
    """NN904: two eval-mode forwards (no gradients) of the first batch, on the original model."""
    from torch.nn.modules.module import register_module_forward_hook, register_module_forward_pre_hook

    root = replay.root
    root.eval()
    names = _names(root)
    stochastic: List[str] = []
    places: List[Any] = []
    watch = _DropoutWatch(where)

    def enter(module: nn.Module, _args: Any) -> None:
        if not isinstance(module, nn.modules.dropout._DropoutNd):
            return
        watch.in_module += 1
        if module.training and module.p > 0:
            label = names.get(id(module), f"{type(module).__name__} outside {type(root).__name__}")
            if label not in stochastic:
                stochastic.append(label)
                places.append(where())

    def leave(module: nn.Module, _args: Any, _output: Any) -> None:
        if isinstance(module, nn.modules.dropout._DropoutNd):
            watch.in_module -= 1

    handles = [register_module_forward_pre_hook(enter), register_module_forward_hook(leave, always_call=True)]
    try:
        with torch.no_grad(), watch:
            first = root(*replay.args, **replay.kwargs)
            second = root(*replay.args, **replay.kwargs)
    finally:
        for handle in handles:
            handle.remove()
    pairs = list(zip(_floats(first), _floats(second)))
    if not pairs:
        raise Skip("the model's output holds no floating-point tensor")
    diff = max(float((a - b).abs().max().item()) if a.numel() else 0.0 for a, b in pairs)
    scale = max(float(a.abs().max().item()) if a.numel() else 0.0 for a, _ in pairs)
    if not (math.isfinite(diff) and math.isfinite(scale)):
        raise Skip("the model's eval-mode output is not finite")
    return {
        "max_abs_diff": diff,
        "max_abs_output": scale,
        "relative": diff / scale if scale else 0.0,
        "dropout_modules_training": stochastic[:8],
        "dropout_module_where": places[:8],
        "functional_dropout": watch.calls,
    }


def batch_independence(replay: Replay) -> Dict[str, Any]:
    """NN903: in eval mode, does sample 0's output depend on the other samples' inputs?"""
    root = replay.root
    if not mode_layers_batch_first(root):
        raise Skip(
            "the model holds sequence-first layers (RNN or attention without batch_first): axis 0 is not the batch"
        )
    root.eval()
    with torch.no_grad():
        reference = replay.output_of(root(*replay.args, **replay.kwargs))
    if reference is None or reference.dim() == 0 or reference.shape[0] < 2:
        raise Skip("the model's output has no batch axis with two samples or more")
    batch = int(reference.shape[0])
    inputs = [t for _, t in walk((replay.args, replay.kwargs)) if t.dim() >= 1]
    if not inputs or any(t.shape[0] != batch for t in inputs):
        raise Skip("not every input has the batch on its first axis")
    if any(t.is_floating_point() for t in inputs):
        return _by_gradient(replay, batch)
    return _by_perturbation(replay, reference, batch)


def _by_gradient(replay: Replay, batch: int) -> Dict[str, Any]:
    leaves: List[torch.Tensor] = []

    def leaf(_path: Any, tensor: torch.Tensor) -> torch.Tensor:
        if tensor.is_floating_point() and tensor.dim() >= 1:
            tensor = tensor.detach().clone().requires_grad_(True)
            leaves.append(tensor)
        return tensor

    args, kwargs = map_tensors((replay.args, replay.kwargs), leaf)
    with torch.enable_grad():
        output = replay.output_of(replay.root(*args, **kwargs))
        if output is None or not output.requires_grad:
            raise Skip("the model's output does not depend on its floating-point inputs through autograd")
        generator = torch.Generator(device="cpu").manual_seed(0)
        weights = torch.randn(output[0].shape, generator=generator).to(output.device, output.dtype)
        grads = torch.autograd.grad((output[0] * weights).sum(), leaves, allow_unused=True)
    per_sample = [0.0] * batch
    for grad in grads:
        if grad is None:
            continue
        sizes = grad.detach().abs().reshape(batch, -1).max(dim=1).values
        per_sample = [max(a, float(b)) for a, b in zip(per_sample, sizes.tolist())]
    return {
        "method": "gradient",
        "batch": batch,
        "own": per_sample[0],
        "other": max(per_sample[1:]),
        "per_sample": per_sample[:_PER_SAMPLE],
        "noise": 0.0,
    }


def _by_perturbation(replay: Replay, reference: torch.Tensor, batch: int) -> Dict[str, Any]:
    """Integer inputs (token ids) have no gradient: change the other samples' inputs and watch sample 0."""
    changed = [False]

    def perturb(_path: Any, tensor: torch.Tensor) -> torch.Tensor:
        other = tensor.clone()
        other[1:] = tensor[1:].flip(-1 if tensor.dim() >= 2 else 0)
        if not torch.equal(other, tensor):
            changed[0] = True
        return other

    args, kwargs = map_tensors((replay.args, replay.kwargs), perturb)
    if not changed[0]:
        raise Skip("the other samples' inputs could not be changed (they are all alike)")
    with torch.no_grad():
        again = replay.output_of(replay.root(*replay.args, **replay.kwargs))
        moved = replay.output_of(replay.root(*args, **kwargs))
    if again is None or moved is None or moved.shape != reference.shape:
        raise Skip("the model's output changed shape when other samples changed")
    return {
        "method": "perturbation",
        "batch": batch,
        "own": float(reference[0].abs().max().item()),
        "other": float((moved[0] - reference[0]).abs().max().item()),
        "noise": float((again[0] - reference[0]).abs().max().item()),
        "per_sample": [],
    }


def loss_floor(replay: Replay) -> Optional[float]:
    """The loss of a perfect prediction of the captured target (0 for most losses; the targets' entropy
    for binary cross-entropy on soft targets); None when unknown."""
    key = replay.loss_key
    if replay.mode == "inside":
        return 0.0 if key in ("F.cross_entropy", "F.nll_loss", "F.mse_loss", "F.l1_loss") else None
    target = replay.target
    options = replay.loss_kwargs
    if key in ("F.mse_loss", "F.l1_loss", "F.smooth_l1_loss", "F.huber_loss"):
        return 0.0
    if target is None or replay.function is None:
        return None
    with torch.no_grad():
        if key in ("F.cross_entropy", "F.nll_loss") and not target.is_floating_point():
            return 0.0 if not options.get("label_smoothing") else None
        if key == "F.binary_cross_entropy":
            return _mean(replay.function(target.clamp(0, 1), target, *replay.extra_args, **options))
        if key == "F.binary_cross_entropy_with_logits":
            clamped = target.clamp(1e-6, 1 - 1e-6)
            return _mean(
                replay.function(torch.log(clamped) - torch.log1p(-clamped), target, *replay.extra_args, **options)
            )
        if key == "F.cross_entropy" and target.is_floating_point() and not options.get("label_smoothing"):
            return _mean(replay.function(torch.log(target.clamp_min(1e-12)), target, *replay.extra_args, **options))
    return None


def _mean(value: torch.Tensor) -> float:
    return float(value.detach().double().mean().item())


def rebind_closures(model: nn.Module, memo: Dict[int, Any]) -> int:
    """Functions a module holds as attributes (minGPT's ``self.mlpf = lambda x: m.c_proj(...)``) keep
    pointing at the original's modules after ``deepcopy``, which copies no function: remake each with its
    closure cells (and a bound method with its ``self``) mapped to their copies. Returns how many changed."""
    changed = 0
    for module in model.modules():
        for name, value in list(vars(module).items()):
            if isinstance(value, types.MethodType) and id(value.__self__) in memo:
                module.__dict__[name] = types.MethodType(value.__func__, memo[id(value.__self__)])
                changed += 1
            elif isinstance(value, types.FunctionType) and value.__closure__:
                cells = []
                for cell in value.__closure__:
                    try:
                        contents = cell.cell_contents
                    except ValueError:  # an empty cell
                        cells.append(cell)
                        continue
                    mapped = memo.get(id(contents), contents)
                    cells.append(cell if mapped is contents else types.CellType(mapped))
                if any(a is not b for a, b in zip(cells, value.__closure__)):
                    remade = types.FunctionType(
                        value.__code__, value.__globals__, value.__name__, value.__defaults__, tuple(cells)
                    )
                    remade.__kwdefaults__ = value.__kwdefaults__
                    module.__dict__[name] = remade
                    changed += 1
    return changed


def undo_warmup(optimizer: torch.optim.Optimizer) -> Optional[str]:
    """The first step often runs at a warm-up's tiny learning rate (nanoGPT sets ``lr = 6e-4 / 2001`` by
    hand); the copy trains at the rate the script means: a scheduler's ``initial_lr`` where it is higher,
    else, when every group's rate is below the one the optimizer was made with, all groups scaled up
    together to it. Returns what was done, or None."""
    groups = optimizer.param_groups
    given = [group.get("lr") for group in groups]
    lrs: List[float] = [lr for lr in given if isinstance(lr, (int, float)) and not isinstance(lr, bool)]
    if not lrs or len(lrs) != len(given):
        return None
    given_initial = [group.get("initial_lr") for group in groups]
    initial: List[float] = [lr for lr in given_initial if isinstance(lr, (int, float))]
    if len(initial) == len(given_initial) and any(i > lr for i, lr in zip(initial, lrs)):
        for group, lr in zip(groups, initial):
            group["lr"] = max(group["lr"], lr)
        return "the scheduler's initial learning rates"
    made = optimizer.defaults.get("lr")
    if isinstance(made, (int, float)) and made > 0 and 0 < max(lrs) < made:
        factor = made / max(lrs)
        for group in groups:
            group["lr"] = group["lr"] * factor
        return (
            f"the learning rate the optimizer was made with ({made:g}; the first step ran at {max(lrs):g}, a warm-up)"
        )
    return None


def train_copy(
    replay: Replay,
    optimizer: torch.optim.Optimizer,
    args: Tuple[Any, ...],
    kwargs: Dict[str, Any],
    steps: int,
    deadline: float,
    floor: Optional[float],
) -> Dict[str, Any]:
    """NN901/NN902: a deep copy of the model and its optimizer takes up to ``steps`` steps on one batch."""
    if isinstance(optimizer, torch.optim.LBFGS):
        raise Skip("LBFGS needs a closure the script provides")
    started = time.monotonic()
    memo: Dict[int, Any] = {}
    model, copied = copy.deepcopy((replay.root, optimizer), memo)
    rebind_closures(model, memo)
    lr_note = undo_warmup(copied)
    for module in model.modules():  # memorising one batch is judged without regularisation noise
        if isinstance(module, nn.modules.dropout._DropoutNd):
            module.eval()
    losses: List[float] = []
    stopped = None
    last = 0.0
    for _ in range(steps):
        if time.monotonic() + last > deadline and losses:  # the next step would end past the budget
            stopped = "time budget"
            break
        began = time.monotonic()
        copied.zero_grad(set_to_none=True)
        loss = replay.loss(model, args, kwargs)
        loss = loss.mean() if loss.dim() else loss
        value = _mean(loss)
        losses.append(value)
        if not math.isfinite(value):
            stopped = "non-finite loss"
            break
        loss.backward()
        copied.step()
        last = time.monotonic() - began
    if stopped != "non-finite loss":
        with torch.no_grad():
            losses.append(_mean(replay.loss(model, args, kwargs)))
    lrs = sorted({lr for lr in (g.get("lr") for g in copied.param_groups) if isinstance(lr, (int, float))})
    return {
        "losses": losses,
        "steps": len(losses) - 1 if stopped != "non-finite loss" else len(losses),
        "asked_steps": steps,
        "stopped": stopped,
        "floor": floor,
        "optimizer": type(optimizer).__name__,
        "lr": lrs,
        "lr_note": lr_note,
        "seconds": round(time.monotonic() - started, 3),
    }
