"""The recorder's module forwards (child side): root models, training and evaluation forwards, the first
forward's layers; a part of :class:`~.recorder.Recorder`."""

from __future__ import annotations

import os
import time
import weakref
from typing import TYPE_CHECKING, Any, Dict, List, Tuple

import torch
from torch import nn

from . import tensorstats
from .recorder_state import RecorderState
from .recorder_tables import EVAL_FORWARDS, EVAL_SECONDS, MODE_LAYERS, _first_tensor, _flat_tensors

if TYPE_CHECKING:
    from .recorder import Recorder


class ForwardEvents(RecorderState):
    """The recorder's module forwards."""

    # ------------------------------------------------------------------ module forwards
    def on_forward_pre(self: "Recorder", module: nn.Module, args: Tuple[Any, ...]) -> None:
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

    def on_forward(self: "Recorder", module: nn.Module, args: Tuple[Any, ...], output: Any) -> None:
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

    def _mode_layers(self: "Recorder", root: nn.Module) -> Tuple[List[str], List[str]]:
        training: List[str] = []
        evaluating: List[str] = []
        for name, sub in root.named_modules():
            if isinstance(sub, MODE_LAYERS) and not (sub.training and getattr(sub, "p", None) == 0):
                label = f"{type(root).__name__}.{name}" if name else type(root).__name__
                (training if sub.training else evaluating).append(label)  # Dropout(p=0) in training is harmless
        return training, evaluating

    def _optimized(self: "Recorder", root: nn.Module) -> bool:
        """Does the primary optimizer update ``root``'s parameters (the trained model, not a frozen teacher)?"""
        if self._optimized_ids is None:
            self._optimized_ids = {id(p) for opt in self._primary() for g in opt.param_groups for p in g["params"]}
        return any(id(p) in self._optimized_ids for p in root.parameters())

    def _on_root_start(self: "Recorder", root: nn.Module, args: Tuple[Any, ...]) -> None:
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

    def _on_root_end(self: "Recorder", root: nn.Module, output: Any) -> None:
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

    def _on_param_leaf_input(self: "Recorder", module: nn.Module, args: Tuple[Any, ...]) -> None:
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

    def _on_param_leaf_output(self: "Recorder", module: nn.Module, output: Any) -> None:
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
