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

Its parts, by purpose: :mod:`.recorder_loaders`, :mod:`.recorder_forwards`, :mod:`.recorder_calls`,
:mod:`.recorder_steps`; tables and pure helpers in :mod:`.recorder_tables`.
"""

from __future__ import annotations

import os
import time
import weakref
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

import torch
from torch import nn

from .frames import UserFrames, Where
from .recorder_calls import CallEvents
from .recorder_forwards import ForwardEvents
from .recorder_loaders import LoaderEvents, _IteratorState
from .recorder_steps import StepEvents
from .recorder_tables import (
    LIMIT_PER_SITE,
    SKIM_FRACTION,
    SKIM_MAX_SECONDS,
    SKIM_MIN_SECONDS,
    SKIM_WALL_FACTOR,
    func_key,
    permutes_axes,
)


class StopScript(BaseException):
    """Raised inside the user's script when the step budget is spent."""


class Recorder(LoaderEvents, ForwardEvents, CallEvents, StepEvents):
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


__all__ = ["Recorder", "StopScript", "func_key", "permutes_axes"]
