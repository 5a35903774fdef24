"""The recorder's torch function calls (child side): losses, reshapes, dropouts, constant initialisers, ReLUs,
non-finite outputs; a part of :class:`~.recorder.Recorder`."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any, Dict, Optional, Tuple

import torch

from . import tensorstats
from .frames import Where
from .recorder_state import RecorderState
from .recorder_tables import (
    _SKIP_FINITE,
    ADDS,
    BACKWARDS,
    BRANCH_PASS,
    CONSTANT_INITS,
    DROPOUTS,
    FACTORIES,
    LINEAGE,
    LOSSES,
    PRODUCERS,
    RELUS,
    RESHAPES,
    _broadcastable,
    _flat_tensors,
    permutes_axes,
)

if TYPE_CHECKING:
    from .recorder import Recorder


class CallEvents(RecorderState):
    """The recorder's torch function calls."""

    # ------------------------------------------------------------------ torch function calls
    def before_call(self: "Recorder", key: str, args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> None:
        if key in BACKWARDS:
            self._on_backward()

    def after_call(self: "Recorder", key: str, args: Tuple[Any, ...], kwargs: Dict[str, Any], out: Any) -> None:
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

    def _on_branch_op(self: "Recorder", key: str, args: Tuple[Any, ...], out: Any) -> None:
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

    def _origin(self: "Recorder", tensor: Any) -> Tuple[Where, Optional[str]]:
        entry = self._producers.get(id(tensor))
        if entry is None or entry[0]() is not tensor:
            return [], None
        return entry[1], entry[2]

    def _on_loss(self: "Recorder", family: str, args: Tuple[Any, ...], kwargs: Dict[str, Any], out: Any) -> None:
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

    def _on_reshape(self: "Recorder", args: Tuple[Any, ...], out: Any) -> None:
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

    def _on_dropout(self: "Recorder", args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> None:
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

    def _on_constant(self: "Recorder", key: str, args: Tuple[Any, ...], kwargs: Dict[str, Any], out: Any) -> None:
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

    def _on_relu(self: "Recorder", out: Any) -> None:
        if not isinstance(out, torch.Tensor) or len(self.obs["relus"]) >= 128:
            return
        stats = tensorstats.dead_unit_stats(out)
        if stats is None:
            return
        stats.update({"where": self.where(), "module": self.module_path(self.current_module())})
        self.obs["relus"].append(stats)

    def _check_finite(self: "Recorder", key: str, args: Tuple[Any, ...], out: Any) -> None:
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
