"""The recorder's backward calls and optimizer steps (child side), and the library functions it patches (clipping,
custom autograd Functions, set_epoch, torch.save); a part of :class:`~.recorder.Recorder`."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Tuple

import torch

from . import tensorstats
from .gradcheck import directional_check
from .recorder_state import RecorderState
from .recorder_tables import _is_embedding_weight, _optimizer_info

if TYPE_CHECKING:
    from .recorder import Recorder


class StepEvents(RecorderState):
    """The recorder's backward calls and optimizer steps."""

    # ------------------------------------------------------------------ backward and optimizer steps
    def _on_backward(self: "Recorder") -> None:
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

    def _primary(self: "Recorder") -> List[torch.optim.Optimizer]:
        return [opt for opt in self.optimizers if id(opt) == self.primary_optimizer]

    def on_step_pre(self: "Recorder", optimizer: torch.optim.Optimizer, args: Any, kwargs: Any) -> None:
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

    def on_step_post(self: "Recorder", optimizer: torch.optim.Optimizer, args: Any, kwargs: Any) -> None:
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

    def _run_experiments(self: "Recorder") -> None:
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

    def _record_gradients(self: "Recorder", optimizer: torch.optim.Optimizer) -> None:
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

    def _record_unused(self: "Recorder", optimizer: torch.optim.Optimizer) -> None:
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

    def _record_updates(self: "Recorder", optimizer: torch.optim.Optimizer) -> None:
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
    def on_clip(self: "Recorder", kind: str, parameters: Any, limit: Any, run: Callable[[Any], Any]) -> Any:
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
        self: "Recorder", cls: type, apply: Callable[..., Any], args: Tuple[Any, ...], kwargs: Dict[str, Any]
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

    def on_set_epoch(self: "Recorder", epoch: int) -> None:
        if self.active() and len(self.obs["set_epoch_calls"]) < 16:
            self.obs["set_epoch_calls"].append(int(epoch))

    def on_save(self: "Recorder") -> None:
        self.obs["suppressed_saves"] += 1
