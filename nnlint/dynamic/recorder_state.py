"""The recorder's state, declared once for its parts (child side): each part of :class:`~.recorder.Recorder`
(:mod:`.recorder_loaders`, :mod:`.recorder_forwards`, :mod:`.recorder_calls`, :mod:`.recorder_steps`) reads and
sets these attributes, which ``Recorder.__init__`` gives their first values; declarations only, no behaviour."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Set, Tuple

import torch
from torch import nn

from .frames import UserFrames, Where

if TYPE_CHECKING:
    from .recorder_loaders import _IteratorState


class RecorderState:
    # the run
    pid: int
    frames: UserFrames
    script: str
    busy: bool
    stopped: bool
    skimming: Optional[str]
    skim_started: float
    skim_cpu_started: float
    skim_budget: float
    skim_reason: str
    _progress: Callable[[str], None]
    started: float
    launched: float
    obs: Dict[str, Any]
    # the budget
    steps: int
    phase: str
    primary_optimizer: Optional[int]
    stepped: set
    optimizers: "weakref.WeakSet[torch.optim.Optimizer]"
    last_state: Optional[_IteratorState]
    train_loader_id: Optional[int]
    train_state: Optional[_IteratorState]
    train2_given: bool
    train3_given: bool
    eval_seen: bool
    last_batch_from_eval_loader: bool
    eval_forwards_after_step: int
    eval_started: float
    stop_at_backward: bool
    first_step_seconds: float
    first_step_cpu: float
    _optimized_ids: Optional[Set[int]]
    eval_iterators_after_step: int
    backwards_after_step: int
    _loaders: Dict[int, Any]
    _loader_where: Dict[int, Where]
    # forward tracking
    stack: List[nn.Module]
    root: Optional[nn.Module]
    roots: Dict[int, nn.Module]
    _names: Dict[int, Dict[int, str]]
    _has_params: Dict[int, bool]
    _root_ctx: Optional[Dict[str, Any]]
    in_first_train_forward: bool
    first_train_forward_done: bool
    seen_train_forward: bool
    _last_param_leaf: Optional[int]
    # op tracking
    _producers: Dict[int, Tuple[Any, Where, str]]
    _init_sites: Dict[int, Where]
    _site_counts: Dict[Tuple[str, Tuple[Any, ...]], int]
    _snapshots: Dict[int, torch.Tensor]
    _checked_functions: set
    _train_batch_digests: List[List[Any]]
    _uniform_batch_sizes: Optional[Set[int]]
    _batch_lineage: Dict[int, Any]
    _branches: Dict[int, Tuple[Any, Dict[str, Any]]]
    # --experiments
    capture: Any
    experiment_steps: int
    experiment_budget: float
    experiment_timeout: Optional[float]
