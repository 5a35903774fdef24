"""The child-side recorder: watches one training step of a user's script and decides when to stop it.

The recorder holds what was seen and the budget; :mod:`.instrument` connects it to torch through public
hooks only.

The step budget is global (a per-loader limit would let the script run every epoch one batch at a time):

* ``train``  until the first optimizer step; the loader that fed it becomes *the train loader*;
* ``train2`` the same iterator gives one more batch (consecutive batches, gradients at the 2nd backward);
* ``eval``   later train iterators end at once until an evaluation forward has been seen; every other
  loader gives one batch and then ends;
* ``train3`` after the evaluation, the next training forward is recorded (train/eval modes): from the same
  iterator when the script evaluates in the middle of its epoch, else from the next epoch's; then the script
  is stopped by :class:`StopScript`, a ``BaseException`` that ``except Exception`` cannot swallow.
"""

from __future__ import annotations

import math
import os
import time
import weakref
from typing import Any, Callable, Dict, Iterator, List, Optional, Set, Tuple

import torch
from torch import nn

from . import tensorstats
from .frames import UserFrames, Where
from .gradcheck import directional_check


class StopScript(BaseException):
    """Raised inside the user's script when the step budget is spent."""


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


class _IteratorState:
    def __init__(self, loader: Any) -> None:
        self.loader_id = id(loader)
        self.yielded = 0
        self.yielded_after_step = 0
        self.last_digest: Optional[List[Any]] = None


class BudgetIterator:
    """Wraps a DataLoader iterator: records batches and ends it (or the script) when the budget says so."""

    def __init__(self, recorder: "Recorder", loader: Any, inner: Iterator[Any]) -> None:
        self._recorder = recorder
        self._inner = inner
        self._state = _IteratorState(loader)

    def __iter__(self) -> "BudgetIterator":
        return self

    def __len__(self) -> int:
        return len(self._inner)  # type: ignore[arg-type]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def __next__(self) -> Any:
        return self._recorder.next_batch(self._state, self._inner)


class Recorder:
    def __init__(self, script: str, progress: Optional[Callable[[str], None]] = None) -> None:
        self.pid = os.getpid()
        self.frames = UserFrames()
        self.script = script
        self.busy = False
        self.stopped = False
        self.skimming: Optional[str] = None  # "training" or "evaluation": what the uninstrumented run waits for
        self.skim_started = self.skim_cpu_started = self.skim_budget = 0.0
        self.skim_reason = ""
        self._progress = progress or (lambda stage: None)
        self.started = time.monotonic()
        self.obs: Dict[str, Any] = {
            "stages": [],
            "losses": [],
            "reshapes": [],
            "dropouts": [],
            "relus": [],
            "activations": [],
            "first_layer_input": None,
            "train_inputs": [],
            "eval_forwards": [],
            "train_forwards": [],
            "late_train_forward": None,
            "non_finite": {},
            "grads": [],
            "no_grad_params": [],
            "params_without_optimizer": [],
            "params_with_grad": 0,
            "update_ratios": [],
            "weights_after_step": [],
            "clips": [],
            "second_backward": None,
            "loaders": [],
            "repeated_batch": None,
            "sampler_epochs": [],
            "set_epoch_calls": [],
            "custom_functions": [],
            "suppressed_saves": 0,
            "steps": 0,
            "backwards": 0,
            "stop_reason": None,
            "loss_non_finite": False,
            "grad_non_finite": [],
            "skipped_epochs": 0,
            "optimizers": [],
        }
        # budget state
        self.steps = 0
        self.phase = "train"
        self.primary_optimizer: Optional[int] = None
        self.stepped: set = set()
        self.optimizers: "weakref.WeakSet[torch.optim.Optimizer]" = weakref.WeakSet()
        self.last_state: Optional[_IteratorState] = None
        self.train_loader_id: Optional[int] = None
        self.train_state: Optional[_IteratorState] = None
        self.train2_given = False
        self.train3_given = False
        self.eval_seen = False
        self.last_batch_from_eval_loader = False
        self.eval_forwards_after_step = 0
        self.eval_started = 0.0
        self.stop_at_backward = False
        self.first_step_seconds = 0.0
        self.first_step_cpu = 0.0  # CPU seconds of the process (all its threads) at the end of the first step
        self._optimized_ids: Optional[Set[int]] = None
        self.eval_iterators_after_step = 0
        self.backwards_after_step = 0
        self._loaders: Dict[int, Any] = {}
        self._loader_where: Dict[int, Where] = {}  # where each loader was first iterated (the training loop's `for`)
        # forward tracking
        self.stack: List[nn.Module] = []
        self.root: Optional[nn.Module] = None
        self.roots: Dict[int, nn.Module] = {}
        self._names: Dict[int, Dict[int, str]] = {}
        self._has_params: Dict[int, bool] = {}
        self._root_ctx: Optional[Dict[str, Any]] = None
        self.in_first_train_forward = False
        self.first_train_forward_done = False
        self.seen_train_forward = False
        self._last_param_leaf: Optional[int] = None
        # op tracking
        self._producers: Dict[int, Tuple[Any, Where, str]] = {}
        self._init_sites: Dict[int, Where] = {}
        self._site_counts: Dict[Tuple[str, Tuple[Any, ...]], int] = {}
        self._snapshots: Dict[int, torch.Tensor] = {}
        self._checked_functions: set = set()
        self._train_batch_digests: List[List[Any]] = []
        # element counts of the last training batch's one-valued tensors
        self._uniform_batch_sizes: Optional[Set[int]] = None
        self.launched = (
            self.started
        )  # when the child started (before torch was imported): the experiments' time reference
        self.capture: Any = None  # --experiments: an experiment_capture.Capture, fed during the first step
        self.experiment_steps = 0
        self.experiment_budget = 1.0  # the experiments may take this many times the run's time to its first step
        self.experiment_timeout: Optional[float] = (
            None  # the run's timeout: the experiments take at most half of what is left
        )
        self._batch_lineage: Dict[
            int, Any
        ] = {}  # id -> weakref: the training batch's tensors and what is derived from them
        self._branches: Dict[
            int, Tuple[Any, Dict[str, Any]]
        ] = {}  # first forward: id -> (weakref, activation) of layer outputs

    # ------------------------------------------------------------------ helpers
    def progress(self, stage: str) -> None:
        if stage not in self.obs["stages"]:
            self.obs["stages"].append(stage)
            self._progress(stage)

    def active(self) -> bool:
        return not self.busy and not self.stopped and self.skimming is None and os.getpid() == self.pid

    def skim(self, target: str, reason: str, budget: Optional[float] = None) -> None:
        """Instead of stopping for ``reason``, let the script run on uninstrumented until it reaches ``target``,
        for ``budget`` seconds (default: see SKIM_FRACTION); once per run, a second time stops."""
        if "skimmed" in self.obs:
            self.stop(reason)
        now = time.monotonic()
        if budget is None:
            budget = min(SKIM_MAX_SECONDS, max(SKIM_MIN_SECONDS, SKIM_FRACTION * self.first_step_cpu))
        self.skimming, self.skim_started, self.skim_cpu_started = target, now, time.process_time()
        self.skim_budget, self.skim_reason = budget, reason
        self.obs["skimmed"] = {"to": target, "after": reason, "budget_seconds": round(budget, 2)}
        self.stack, self.root = [], None

    def _skim_expired(self) -> None:
        """The budget is CPU time (the same work on a loaded machine), or SKIM_WALL_FACTOR times it of wall time
        (a script that waits)."""
        wall, cpu = time.monotonic() - self.skim_started, time.process_time() - self.skim_cpu_started
        if cpu <= self.skim_budget and wall <= SKIM_WALL_FACTOR * self.skim_budget:
            return
        if os.getpid() == self.pid and not self.stopped:
            target, self.skimming = self.skimming, None
            self.stop(
                f"{self.skim_reason}; {wall:.1f} s ({cpu:.1f} s of CPU) more without instrumentation did not reach "
                f"the {target}"
            )

    def _skim_resumes(self, module: nn.Module) -> bool:
        """While skimming: does this forward start what the run waits for (then observe it)?"""
        if os.getpid() != self.pid or self.busy or self.stopped:
            return False
        self._skim_expired()
        if not self.has_params(module):
            return False
        grad = torch.is_grad_enabled()
        if self.skimming == "training":
            arrived = grad and module.training and any(p.requires_grad for p in module.parameters())
        else:
            arrived = not (grad and module.training)
        if arrived:
            self.obs["skimmed"]["seconds"] = round(time.monotonic() - self.skim_started, 2)
            self.skimming = None
        return arrived

    def stop(self, reason: str) -> None:
        self.obs["stop_reason"] = reason
        self.stopped = True
        raise StopScript(reason)

    def where(self) -> Where:
        return self.frames.where(limit=6)

    def _site_allows(self, kind: str, where: Where, limit: int = LIMIT_PER_SITE) -> bool:
        key = (kind, tuple(where[:2]))
        count = self._site_counts.get(key, 0)
        self._site_counts[key] = count + 1
        return count < limit

    def has_params(self, module: nn.Module) -> bool:
        key = id(module)
        if key not in self._has_params:
            self._has_params[key] = next(module.parameters(), None) is not None
        return self._has_params[key]

    def module_path(self, module: Optional[nn.Module]) -> Optional[str]:
        if module is None:
            return None
        for root_id, names in self._names.items():
            name = names.get(id(module))
            if name is not None:
                root = self.roots[root_id]
                return type(root).__name__ + ("." + name if name else "")
        return type(module).__name__

    def current_module(self) -> Optional[nn.Module]:
        return self.stack[-1] if self.stack else None

    def param_names(self) -> Dict[int, str]:
        names: Dict[int, str] = {}
        for root in self.roots.values():
            for name, param in root.named_parameters():
                names.setdefault(id(param), f"{type(root).__name__}.{name}")
        return names

    # ------------------------------------------------------------------ data loaders
    def wrap_loader_iterator(self, loader: Any, inner: Iterator[Any]) -> Any:
        if not self.active():
            return inner
        self._loaders[id(loader)] = loader
        self._loader_where.setdefault(id(loader), self.where())
        if self.steps >= 1 and id(loader) == self.train_loader_id:
            sampler = getattr(loader, "sampler", None)
            if sampler is not None and hasattr(sampler, "epoch"):
                self.obs["sampler_epochs"].append(int(getattr(sampler, "epoch", 0)))
        return BudgetIterator(self, loader, inner)

    def _end(self, inner: Any) -> None:
        shutdown = getattr(inner, "_shutdown_workers", None)
        if callable(shutdown):
            try:
                shutdown()
            except Exception:
                pass
        raise StopIteration

    def next_batch(self, state: _IteratorState, inner: Iterator[Any]) -> Any:
        if self.skimming is not None:
            self._skim_expired()
        if not self.active():
            return next(inner)
        if self.steps == 0:
            batch = next(inner)
            self._took(state, batch, eval_loader=False)
            return batch
        is_train = state.loader_id == self.train_loader_id
        if is_train:
            if state is self.train_state and not self.train2_given and self.phase == "train2":
                self.train2_given = True
                batch = next(inner)
                self._took(state, batch, eval_loader=False)
                return batch
            if self.phase == "train2":
                self.phase = "eval"
            if state is self.train_state and self.eval_seen and not self.train3_given:
                # the script evaluated in the middle of its epoch and trains on: the batch after the evaluation
                # is the one to see (ending the epoch here would let the next epoch's own train() hide NN502)
                self.train3_given = True
                batch = next(inner)
                self._took(state, batch, eval_loader=False)
                return batch
            if state is not self.train_state and state.yielded == 0:
                if self.eval_seen and not self.train3_given:
                    self.train3_given = True
                    batch = next(inner)
                    self._took(state, batch, eval_loader=False)
                    return batch
                if not self.eval_seen:
                    self.obs["skipped_epochs"] += 1
                    if self.obs["skipped_epochs"] > 10_000:
                        self.stop("epoch limit")
            if self.train3_given and state.yielded:
                self.stop("budget spent after the evaluation")
            self._end(inner)
        if self.phase == "train2":
            self.phase = "eval"
        if state.yielded_after_step >= 1:
            self._end(inner)
        self.eval_iterators_after_step += 1
        if self.eval_iterators_after_step > 50:
            self.stop("evaluation limit")
        self.progress("evaluating")
        batch = next(inner)
        self._took(state, batch, eval_loader=True)
        return batch

    def _took(self, state: _IteratorState, batch: Any, eval_loader: bool) -> None:
        state.yielded += 1
        batches = self.obs.setdefault("batches", {"train": 0, "eval": 0})
        batches["eval" if eval_loader else "train"] += 1
        if self.steps >= 1:
            state.yielded_after_step += 1
        self.last_state = state
        self.last_batch_from_eval_loader = eval_loader
        if eval_loader or self.busy:
            return
        self.busy = True
        try:
            tensors = _flat_tensors(batch)
            self._batch_lineage = {id(t): weakref.ref(t) for t in tensors}
            digest = [tensorstats.digest(t) for t in tensors]
            if state.last_digest is not None and tensors and self.obs["repeated_batch"] is None:
                loader = self._loaders.get(state.loader_id)
                length = _safe_len(loader)
                if length is None or length > 1:
                    self.obs["repeated_batch"] = {"identical": digest == state.last_digest, "batches_in_epoch": length}
            state.last_digest = digest
            if self.steps == 0 and "first_batch_digest" not in self.obs:
                self.obs["first_batch_digest"] = digest
        finally:
            self.busy = False

    def describe_train_loader(self) -> None:
        loader = self._loaders.get(self.train_loader_id) if self.train_loader_id is not None else None
        if loader is None:
            return
        self.busy = True
        try:
            sampler = getattr(loader, "sampler", None)
            batch_sampler = getattr(loader, "batch_sampler", None)
            info: Dict[str, Any] = {
                "class": type(loader).__name__,
                "where": self._loader_where.get(id(loader), []),
                "sampler": type(sampler).__name__ if sampler is not None else None,
                "batch_sampler": type(batch_sampler).__name__ if batch_sampler is not None else None,
                "batch_size": getattr(loader, "batch_size", None),
                "num_workers": getattr(loader, "num_workers", 0),
                "length": _safe_len(loader),
                "shuffle": getattr(sampler, "shuffle", None),
            }
            labels = _dataset_labels(getattr(loader, "dataset", None))
            if labels is not None:
                head = labels[: max(4 * int(info["batch_size"] or 1), 2)]
                info["dataset_labels"] = tensorstats.label_stats(labels)
                info["dataset_label_head"] = tensorstats.label_stats(head)
            self.obs["loaders"].append(info)
        finally:
            self.busy = False

    # ------------------------------------------------------------------ module forwards
    def on_forward_pre(self, module: nn.Module, args: Tuple[Any, ...]) -> None:
        if self.skimming is not None and not self._skim_resumes(module):
            return
        if not self.active():
            return
        self.stack.append(module)
        if self.root is None and self.has_params(module):
            self.root = module
            self._on_root_start(module, args)
        elif self.in_first_train_forward and module._parameters and not module._modules:
            self._on_param_leaf_input(module, args)

    def on_forward(self, module: nn.Module, args: Tuple[Any, ...], output: Any) -> None:
        if os.getpid() != self.pid or self.busy or self.skimming is not None:
            return
        while self.stack:
            top = self.stack.pop()
            if top is module:
                break
        if self.stopped:
            return
        if module is self.root:
            self.root = None
            self._on_root_end(module, output)
        elif self.in_first_train_forward and module._parameters and not module._modules:
            self._on_param_leaf_output(module, output)

    def _mode_layers(self, root: nn.Module) -> Tuple[List[str], List[str]]:
        training: List[str] = []
        evaluating: List[str] = []
        for name, sub in root.named_modules():
            if isinstance(sub, MODE_LAYERS) and not (sub.training and getattr(sub, "p", None) == 0):
                label = f"{type(root).__name__}.{name}" if name else type(root).__name__
                (training if sub.training else evaluating).append(label)  # Dropout(p=0) in training is harmless
        return training, evaluating

    def _optimized(self, root: nn.Module) -> bool:
        """Does the primary optimizer update ``root``'s parameters (the trained model, not a frozen teacher)?"""
        if self._optimized_ids is None:
            self._optimized_ids = {id(p) for opt in self._primary() for g in opt.param_groups for p in g["params"]}
        return any(id(p) in self._optimized_ids for p in root.parameters())

    def _on_root_start(self, root: nn.Module, args: Tuple[Any, ...]) -> None:
        if id(root) not in self._names:
            self.roots[id(root)] = root
            self._names[id(root)] = {id(m): n for n, m in root.named_modules()}
        grad = torch.is_grad_enabled()
        trainable = any(p.requires_grad for p in root.parameters())
        where = self.where()
        if self.steps == 0:
            is_eval = not (grad and trainable)
        else:
            if not grad:
                is_eval = True
            elif self.last_state is not None:  # batches come from loaders: the loader says which pass this is
                is_eval = self.last_batch_from_eval_loader
            else:
                is_eval = self.phase == "eval" and not root.training
        self.busy = True
        try:
            training, evaluating = self._mode_layers(root)
            ctx: Dict[str, Any] = {
                "eval": is_eval,
                "where": where,
                "grad_enabled": grad,
                "root_training": root.training,
                "model": type(root).__name__,
                "train_mode_layers": training,
                "eval_mode_layers": evaluating,
                "phase": self.phase if self.steps else "before first step",
            }
            if self.steps >= 1 and is_eval:
                ctx["optimized"] = self._optimized(root)
            self._root_ctx = ctx
            if "model_device" not in self.obs:
                first = next(root.parameters(), None)
                self.obs["model_device"] = str(first.device) if first is not None else None
            if is_eval:
                return
            if self.capture is not None and self.steps == 0:
                self.capture.on_root_start(root, args, where)
            self.progress("first forward")
            if len(self.obs["train_forwards"]) < 8:
                self.obs["train_forwards"].append(dict(ctx))
            x = _first_tensor(args)
            if x is not None and len(self.obs["train_inputs"]) < 8:
                entry = tensorstats.summary(x)
                entry.update({"where": where, "phase": self.phase, "model": type(root).__name__})
                self.obs["train_inputs"].append(entry)
            if self.steps == 0:
                self.seen_train_forward = True
                if not self.first_train_forward_done:
                    self.in_first_train_forward = True
        finally:
            self.busy = False
        if self.steps >= 1 and self.eval_seen:
            self.obs["late_train_forward"] = dict(ctx)
            if (
                self.steps == 1
                and self.obs["second_backward"] is None
                and self.backwards_after_step == 0
                and not self.stop_at_backward
            ):
                self.stop_at_backward = True  # the script evaluated between its steps: see that next backward
                return
            self.stop("budget spent: training resumed after the evaluation")

    def _on_root_end(self, root: nn.Module, output: Any) -> None:
        ctx = self._root_ctx or {}
        self._root_ctx = None
        if self.in_first_train_forward:
            self.in_first_train_forward = False
            self._branches = {}
            self.first_train_forward_done = True
            for entry in self.obs["activations"]:
                entry["is_output_layer"] = entry["module_id"] == self._last_param_leaf
                entry.pop("module_id", None)
        if not ctx.get("eval"):
            if self.capture is not None and self.steps == 0:
                self.busy = True
                try:
                    self.capture.on_root_end(root, output)
                finally:
                    self.busy = False
            return
        ctx["output_requires_grad"] = any(t.requires_grad for t in _flat_tensors(output))
        if len(self.obs["eval_forwards"]) < 16:
            self.obs["eval_forwards"].append(ctx)
        if self.steps >= 1:
            self.eval_seen = True
            self.eval_forwards_after_step += 1
            self.progress("evaluation batch")
            now = time.monotonic()
            self.eval_started = self.eval_started or now
            # a long evaluation is cut; a short one (sampling a few hundred tokens) may end, so that the
            # training step after it is seen too
            if self.eval_forwards_after_step <= EVAL_FORWARDS:
                return
            reason = (
                f"evaluation limit ({self.eval_forwards_after_step} forwards in {now - self.eval_started:.1f} s; "
                f"first step after {self.first_step_seconds:.1f} s)"
            )
            if (
                self.steps == 1
                and self.obs["second_backward"] is None
                and self.backwards_after_step == 0
                and "skimmed" not in self.obs
            ):
                # an evaluation between the first two steps (minGPT's sampling callback): its further forwards
                # add nothing to observe, so they run uninstrumented, in the time the evaluation has, to reach the
                # next training backward
                self.skim("training", reason, budget=EVAL_SECONDS)
            elif now - self.eval_started > EVAL_SECONDS or self.eval_forwards_after_step > 50 * EVAL_FORWARDS:
                self.stop(reason)

    def _on_param_leaf_input(self, module: nn.Module, args: Tuple[Any, ...]) -> None:
        if self.obs["first_layer_input"] is not None:
            return
        x = _first_tensor(args)
        if x is None:
            return
        self.busy = True
        try:
            entry: Dict[str, Any] = (
                tensorstats.summary(x) if x.is_floating_point() else {"dtype": str(x.dtype), "shape": list(x.shape)}
            )
            entry.update(
                {"module": self.module_path(module), "module_type": type(module).__name__, "where": self.where()}
            )
            self.obs["first_layer_input"] = entry
        finally:
            self.busy = False

    def _on_param_leaf_output(self, module: nn.Module, output: Any) -> None:
        self._last_param_leaf = id(module)
        if not isinstance(output, torch.Tensor) or not output.is_floating_point() or output.numel() < 2:
            return
        if len(self.obs["activations"]) >= 256:
            return
        self.busy = True
        try:
            stats = tensorstats.summary(output)
            activation = {
                "module": self.module_path(module),
                "module_type": type(module).__name__,
                "std": stats.get("std"),
                "mean": stats.get("mean"),
                "module_id": id(module),
                "order": len(self.obs["activations"]),
            }
            self.obs["activations"].append(activation)
            self._branches[id(output)] = (weakref.ref(output), activation)
        finally:
            self.busy = False

    # ------------------------------------------------------------------ torch function calls
    def before_call(self, key: str, args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> None:
        if key in BACKWARDS:
            self._on_backward()

    def after_call(self, key: str, args: Tuple[Any, ...], kwargs: Dict[str, Any], out: Any) -> None:
        self.busy = True
        try:
            if key in LOSSES:
                if (
                    self.capture is not None
                    and self.steps == 0
                    and torch.is_grad_enabled()
                    and not (self._root_ctx or {}).get("eval")
                ):
                    from .experiment_capture import loss_function

                    self.capture.on_loss(
                        key, loss_function(key), args, kwargs, out, self.root is not None, self.where()
                    )
                self._on_loss(LOSSES[key], args, kwargs, out)
            elif key in RESHAPES:
                self._on_reshape(args, out)
            elif key in DROPOUTS:
                self._on_dropout(args, kwargs)
            elif key in CONSTANT_INITS or key in FACTORIES:
                self._on_constant(key, args, kwargs, out)
            if key in RELUS and self.in_first_train_forward:
                self._on_relu(out)
            if key in LINEAGE and self._batch_lineage and args and self._is_tracked(self._batch_lineage, args[0]):
                if isinstance(out, torch.Tensor) and len(self._batch_lineage) < 10_000:
                    self._batch_lineage[id(out)] = weakref.ref(out)
            if self.in_first_train_forward and self._branches and (key in BRANCH_PASS or key in ADDS):
                self._on_branch_op(key, args, out)
            if key in PRODUCERS and isinstance(out, torch.Tensor):
                if len(self._producers) > 20_000:
                    self._producers.clear()
                self._producers[id(out)] = (weakref.ref(out), self.where(), key)
            if (
                self.seen_train_forward
                and self.steps == 0
                and len(self.obs["non_finite"]) < 2
                and not key.endswith(_SKIP_FINITE)
            ):
                self._check_finite(key, args, out)
        finally:
            self.busy = False

    @staticmethod
    def _is_tracked(table: Dict[int, Any], tensor: Any) -> bool:
        entry = table.get(id(tensor))
        if entry is None:
            return False
        ref = entry[0] if isinstance(entry, tuple) else entry
        return ref() is tensor

    def _on_branch_op(self, key: str, args: Tuple[Any, ...], out: Any) -> None:
        """A layer's output added back to a tensor of its own shape is a residual branch (``x + f(x)``), whose
        small initial scale is deliberate (GPT-2's c_proj, Fixup, SkipInit): NN811 does not judge it as a plain
        layer."""
        tracked = [a for a in args[:2] if isinstance(a, torch.Tensor) and self._is_tracked(self._branches, a)]
        if not tracked:
            return
        if key in ADDS:
            if (
                len(args) < 2
                or not all(isinstance(a, torch.Tensor) for a in args[:2])
                or args[0].shape != args[1].shape
            ):
                return
            for tensor in tracked:
                self._branches[id(tensor)][1]["residual"] = True
        elif isinstance(out, torch.Tensor) and len(self._branches) < 10_000:
            self._branches[id(out)] = (weakref.ref(out), self._branches[id(tracked[0])][1])

    def _origin(self, tensor: Any) -> Tuple[Where, Optional[str]]:
        entry = self._producers.get(id(tensor))
        if entry is None or entry[0]() is not tensor:
            return [], None
        return entry[1], entry[2]

    def _on_loss(self, family: str, args: Tuple[Any, ...], kwargs: Dict[str, Any], out: Any) -> None:
        inputs = args[0] if args else kwargs.get("input")
        target = args[1] if len(args) > 1 else kwargs.get("target")
        if not isinstance(inputs, torch.Tensor) or not isinstance(out, torch.Tensor):
            return
        where = self.where()
        if not self._site_allows("loss", where):
            return
        phase = "eval" if (self._root_ctx or {}).get("eval") or not torch.is_grad_enabled() else self.phase
        origin, origin_op = self._origin(inputs)
        entry: Dict[str, Any] = {
            "family": family,
            "where": where,
            "origin": origin,
            "origin_op": origin_op,
            "phase": phase,
            "step": self.steps,
            "input_shape": list(inputs.shape),
            "target_shape": list(target.shape) if isinstance(target, torch.Tensor) else None,
            "reduction": kwargs.get("reduction", "mean"),
        }
        value = out.detach().double()
        finite = bool(torch.isfinite(value).all().item())
        entry["finite"] = finite
        if finite and value.numel():
            mean = value.mean().item()
            if entry["reduction"] == "sum" and value.numel() == 1 and inputs.dim() >= 1 and inputs.shape[0]:
                mean /= inputs.shape[0]
            entry["value"] = mean
        if not finite and phase != "eval":
            self.obs["loss_non_finite"] = True
        if inputs.is_floating_point():
            if family in ("cross_entropy", "nll"):
                entry["input"] = tensorstats.distribution_stats(inputs)
            else:
                entry["input"] = tensorstats.summary(inputs)
                if inputs.numel():
                    entry["input"]["zero_fraction"] = float((inputs.detach() == 0).double().mean().item())
        if isinstance(target, torch.Tensor):
            if family in ("cross_entropy", "nll") and not target.is_floating_point():
                entry["labels"] = tensorstats.label_stats(target)
            elif family in ("bce", "bce_with_logits") and (
                inputs.dim() == 1 or (inputs.dim() == 2 and inputs.shape[1] == 1)
            ):
                entry["labels"] = tensorstats.label_stats(target)
            if "labels" in entry:
                # only labels that come from the loader's batch are the data's: a GAN's real/fake target
                # (torch.full(..., real_label), label.fill_(fake_label), torch.ones(b)) is made in the step
                entry["labels_from_batch"] = self._is_tracked(self._batch_lineage, target)
            if target.is_floating_point() and target.numel():
                values = target.detach()
                entry["target"] = {
                    "min": float(values.min().item()),
                    "max": float(values.max().item()),
                    "n": int(values.numel()),
                    "negative_fraction": float((values < 0).double().mean().item()),
                }
            entry["broadcasts"] = list(inputs.shape) != list(target.shape) and _broadcastable(
                inputs.shape, target.shape
            )
        if family in ("cross_entropy", "nll") and inputs.dim() >= 1:
            entry["classes"] = int(inputs.shape[1] if inputs.dim() >= 2 else inputs.shape[0])
        self.obs["losses"].append(entry)

    def _on_reshape(self, args: Tuple[Any, ...], out: Any) -> None:
        source = args[0] if args else None
        if not isinstance(source, torch.Tensor) or not isinstance(out, torch.Tensor):
            return
        before, after = list(source.shape), list(out.shape)
        where = self.where()
        if not where or not self._site_allows("reshape", where, 1):
            return
        permutes = permutes_axes(before, after)
        self.obs["reshapes"].append(
            {"where": where, "input_shape": before, "output_shape": after, "permutes_axes": permutes}
        )

    def _on_dropout(self, args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> None:
        training_arg = kwargs.get("training", args[2] if len(args) > 2 else True)
        module = self.current_module()
        if module is None:
            return
        where = self.where()
        if not self._site_allows(f"dropout{module.training}", where, 1):
            return
        self.obs["dropouts"].append(
            {
                "where": where,
                "training_arg": bool(training_arg),
                "module_training": module.training,
                "module": self.module_path(module),
                "grad_enabled": torch.is_grad_enabled(),
            }
        )

    def _on_constant(self, key: str, args: Tuple[Any, ...], kwargs: Dict[str, Any], out: Any) -> None:
        if key in CONSTANT_INITS:
            target = args[0] if args else kwargs.get("tensor")  # nn.init.* dispatch with tensor=...
        else:
            target = out
        if not isinstance(target, torch.Tensor) or target.dim() < 2 or len(self._init_sites) > 20_000:
            return
        try:
            self._init_sites[target.untyped_storage().data_ptr()] = self.where()
        except Exception:
            pass

    def _on_relu(self, out: Any) -> None:
        if not isinstance(out, torch.Tensor) or len(self.obs["relus"]) >= 128:
            return
        stats = tensorstats.dead_unit_stats(out)
        if stats is None:
            return
        stats.update({"where": self.where(), "module": self.module_path(self.current_module())})
        self.obs["relus"].append(stats)

    def _check_finite(self, key: str, args: Tuple[Any, ...], out: Any) -> None:
        outputs = [t for t in _flat_tensors(out) if t.is_floating_point()]
        if not outputs:
            return
        bad = [t for t in outputs if not bool(torch.isfinite(t.detach()).all().item())]
        if not bad:
            return
        inputs = [t for t in _flat_tensors(args) if t.is_floating_point()]
        if any(not bool(torch.isfinite(t.detach()).all().item()) for t in inputs):
            return
        has_nan = any(bool(torch.isnan(t.detach()).any().item()) for t in bad)
        kind = "nan" if has_nan else "inf"
        if kind in self.obs["non_finite"]:
            return
        self.obs["non_finite"][kind] = {
            "op": key,
            "where": self.where(),
            "module": self.module_path(self.current_module()),
            "input_shapes": [list(t.shape) for t in inputs[:4]],
        }

    # ------------------------------------------------------------------ backward and optimizer steps
    def _on_backward(self) -> None:
        self.obs["backwards"] += 1
        if self.steps == 0:
            self.progress("backward")
            return
        self.backwards_after_step += 1
        if self.backwards_after_step == 1 and self.obs["second_backward"] is None:
            self.busy = True
            try:
                params = [p for opt in self._primary() for g in opt.param_groups for p in g["params"]]
                held = [p for p in params if p.grad is not None and bool((p.grad != 0).any().item())]
                self.obs["second_backward"] = {
                    "params": len(params),
                    "params_with_stale_grad": len(held),
                    "where": self.where(),
                    "optimizers": len(list(self.optimizers)),
                }
            finally:
                self.busy = False
            if self.stop_at_backward:
                self.stop("budget spent: training resumed after the evaluation")
        if self.steps >= 2:
            reason = "budget spent: a third training step began"
            if not self.eval_seen and any(f.get("train_mode_layers") for f in self.obs["train_forwards"]):
                self.skim("evaluation", reason)  # the script's own loop goes on: its evaluation is where NN501 shows
                return
            self.stop(reason)

    def _primary(self) -> List[torch.optim.Optimizer]:
        return [opt for opt in self.optimizers if id(opt) == self.primary_optimizer]

    def on_step_pre(self, optimizer: torch.optim.Optimizer, args: Any, kwargs: Any) -> None:
        if self.skimming is not None:
            self._skim_expired()
        if not self.active():
            return
        self.optimizers.add(optimizer)
        if self.primary_optimizer is None:
            self.primary_optimizer = id(optimizer)
        if id(optimizer) == self.primary_optimizer and self.steps >= 2:
            self.stop("budget spent: a third optimizer step began")
        if id(optimizer) in self.stepped:
            return
        self.busy = True
        try:
            if len(self.obs["optimizers"]) < 8:
                try:
                    self.obs["optimizers"].append(
                        _optimizer_info(optimizer, self.where(), id(optimizer) == self.primary_optimizer)
                    )
                except Exception:  # an exotic optimizer's param groups: observe nothing rather than break its step
                    pass
            if self.steps == 0 and id(optimizer) == self.primary_optimizer:
                self.obs["step_where"] = self.where()
                self.train_loader_id = self.last_state.loader_id if self.last_state else None
                self.train_state = self.last_state
                self.describe_train_loader()
                self._record_gradients(optimizer)
            for group in optimizer.param_groups:
                for p in group["params"]:
                    if p.dim() >= 2 and p.numel() <= 50_000_000:
                        self._snapshots[id(p)] = p.detach().clone()
        finally:
            self.busy = False

    def on_step_post(self, optimizer: torch.optim.Optimizer, args: Any, kwargs: Any) -> None:
        if not self.active():
            return
        first_for_this = id(optimizer) not in self.stepped
        self.stepped.add(id(optimizer))
        if first_for_this:
            self.busy = True
            try:
                self._record_unused(optimizer)
                self._record_updates(optimizer)
            finally:
                self.busy = False
        if id(optimizer) == self.primary_optimizer:
            self.steps += 1
            self.obs["steps"] = self.steps
            if self.steps == 1:
                self.phase = "train2"
                self.first_step_seconds = time.monotonic() - self.launched
                self.first_step_cpu = time.process_time()
                self.progress("training step")
                if self.capture is not None:
                    self._run_experiments()
            elif self.steps == 2 and self.phase == "train2":
                self.phase = "eval"

    def _run_experiments(self) -> None:
        """``--experiments``, once, after the first step (see :mod:`.experiments`)."""
        capture, self.capture = self.capture, None
        if capture.replay is None:
            self.obs["experiments"] = {"skipped_all": capture.why_not or "no training loss was seen in the first step"}
            return
        from .experiments import run_all

        self.progress("experiments")
        elapsed = time.monotonic() - self.launched
        budget = self.experiment_budget * elapsed
        if self.experiment_timeout is not None:
            budget = max(0.0, min(budget, (self.experiment_timeout - elapsed) / 2))
        self.busy = True
        try:
            self.obs["experiments"] = run_all(
                capture.replay, list(self.optimizers), self.experiment_steps, budget, self.where
            )
        except Exception as error:  # the experiments must never break the user's run
            self.obs["experiments"] = {
                "skipped_all": f"the experiments raised {type(error).__name__}: {str(error)[:300]}"
            }
        finally:
            self.busy = False

    def _record_gradients(self, optimizer: torch.optim.Optimizer) -> None:
        names = self.param_names()
        for group in optimizer.param_groups:
            for p in group["params"]:
                if p.grad is None or p.dim() < 2 or len(self.obs["grads"]) >= 512:
                    continue
                grad = p.grad.detach()
                finite = bool(torch.isfinite(grad).all().item())
                if not finite:
                    self.obs["grad_non_finite"].append(names.get(id(p), f"param#{id(p)}"))
                    continue
                self.obs["grads"].append(
                    {
                        "name": names.get(id(p), "?"),
                        "shape": list(p.shape),
                        "grad_norm": tensorstats.norm(grad),
                        "weight_norm": tensorstats.norm(p),
                        "embedding": _is_embedding_weight(p, self.roots),
                    }
                )

    def _record_unused(self, optimizer: torch.optim.Optimizer) -> None:
        names = self.param_names()
        held = {id(p) for opt in list(self.optimizers) for g in opt.param_groups for p in g["params"]}
        for group in optimizer.param_groups:
            for p in group["params"]:
                if p.requires_grad and p.grad is None:
                    if id(p) in names:
                        self.obs["no_grad_params"].append(names[id(p)])
                    else:  # held by the optimizer but part of no model that ran: NN407's evidence
                        self.obs["orphan_params"] = self.obs.get("orphan_params", 0) + 1
        if self.steps == 0 and id(optimizer) == self.primary_optimizer:
            for root in self.roots.values():
                for name, p in root.named_parameters():
                    if p.grad is not None:
                        self.obs["params_with_grad"] += 1
                        if id(p) not in held:
                            self.obs["params_without_optimizer"].append(f"{type(root).__name__}.{name}")

    def _record_updates(self, optimizer: torch.optim.Optimizer) -> None:
        names = self.param_names()
        for group in optimizer.param_groups:
            for p in group["params"]:
                before = self._snapshots.pop(id(p), None)
                if before is None:
                    continue
                moved_by_gradient = (
                    p.grad is not None
                    and bool(torch.isfinite(p.grad).all().item())
                    and bool((p.grad != 0).any().item())
                )
                weight_norm = tensorstats.norm(before)
                update_norm = tensorstats.norm(p.detach() - before)
                name = names.get(id(p), "?")
                if (
                    moved_by_gradient
                    and weight_norm > 0
                    and not _is_embedding_weight(p, self.roots)
                    and len(self.obs["update_ratios"]) < 512
                ):
                    self.obs["update_ratios"].append(
                        {
                            "name": name,
                            "ratio": update_norm / weight_norm,
                            "lr": group.get("lr"),
                            "optimizer": type(optimizer).__name__,
                            "numel": p.numel(),
                        }
                    )
                try:
                    init_where = self._init_sites.get(p.untyped_storage().data_ptr(), [])
                except Exception:
                    init_where = []
                identical = tensorstats.identical_rows(p)
                if identical or init_where:
                    self.obs["weights_after_step"].append(
                        {"name": name, "shape": list(p.shape), "identical_rows": identical, "init_where": init_where}
                    )

    # ------------------------------------------------------------------ patched library functions
    def on_clip(self, kind: str, parameters: Any, limit: Any, run: Callable[[Any], Any]) -> Any:
        if not self.active():
            return run(parameters)
        where = self.where()
        before = None
        if kind == "value":
            self.busy = True
            try:
                parameters = [parameters] if isinstance(parameters, torch.Tensor) else list(parameters)
                grads = [
                    p.grad.detach().abs().max().item() for p in parameters if p.grad is not None and p.grad.numel()
                ]
                before = max(grads) if grads else None
            finally:
                self.busy = False
        result = run(parameters)
        if kind == "norm" and isinstance(result, torch.Tensor):
            before = float(result.detach().item())
        if len(self.obs["clips"]) < 8 and self.steps == 0:
            self.obs["clips"].append({"where": where, "kind": kind, "threshold": float(limit), "before": before})
        return result

    def on_function_apply(
        self, cls: type, apply: Callable[..., Any], args: Tuple[Any, ...], kwargs: Dict[str, Any]
    ) -> None:
        if not self.active() or cls in self._checked_functions or self.steps > 0 or not torch.is_grad_enabled():
            return
        code = getattr(getattr(cls, "forward", None), "__code__", None)
        if code is None or self.frames.path_of(code) is None:
            return
        self._checked_functions.add(cls)
        where = self.where()
        self.busy = True
        try:
            try:
                result = directional_check(apply, args, kwargs)
                error = None
            except Exception as exc:  # the check must never break the user's run
                result, error = None, f"{type(exc).__name__}: {exc}"
            entry = {
                "name": cls.__qualname__,
                "where": where,
                "definition": [(self.frames.path_of(code), code.co_firstlineno, cls.__qualname__)],
                "error": error,
            }
            entry.update(result or {})
            self.obs["custom_functions"].append(entry)
        finally:
            self.busy = False

    def on_set_epoch(self, epoch: int) -> None:
        if self.active() and len(self.obs["set_epoch_calls"]) < 16:
            self.obs["set_epoch_calls"].append(int(epoch))

    def on_save(self) -> None:
        self.obs["suppressed_saves"] += 1


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
