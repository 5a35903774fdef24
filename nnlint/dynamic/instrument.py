"""Connects a :class:`~.recorder.Recorder` to torch (child side), through public hooks only.

A ``TorchFunctionMode`` sees functional calls, tensor methods and ``Tensor.backward``; global module
forward hooks and optimizer step hooks see every model and optimizer; thin wrappers around
``DataLoader.__iter__``, ``clip_grad_*``, ``Function.apply``, ``DistributedSampler.set_epoch``,
``Optimizer.__init__`` and ``torch.save`` (checkpoints are serialised to memory, never written) see the rest;
``torch.compile`` runs the model eagerly (see :func:`_compile_eagerly`).
:func:`install` returns a function that removes everything again.
"""

from __future__ import annotations

import io
from typing import Any, Callable, Dict, List

import torch
from torch.overrides import TorchFunctionMode

from .recorder import Recorder, func_key


class RecordingMode(TorchFunctionMode):
    """Sees every functional call and tensor method; hands the interesting ones to the recorder."""

    def __init__(self, recorder: Recorder) -> None:
        super().__init__()
        self.recorder = recorder
        self._keys: Dict[Any, str] = {}

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        recorder = self.recorder
        if not recorder.active():
            return func(*args, **kwargs)
        key = self._keys.get(func)
        if key is None:
            key = self._keys[func] = func_key(func)
        recorder.before_call(key, args, kwargs)
        out = func(*args, **kwargs)
        if recorder.active():
            recorder.after_call(key, args, kwargs, out)
        return out


def install(recorder: Recorder) -> Callable[[], None]:
    """Installs every hook and patch; returns a function that removes them."""
    from torch.nn.modules.module import register_module_forward_hook, register_module_forward_pre_hook
    from torch.optim.optimizer import register_optimizer_step_post_hook, register_optimizer_step_pre_hook
    from torch.utils import data as tud

    undo: List[Callable[[], None]] = []

    def forward_pre(module, args):
        if not _is_compile_wrapper(module):  # the wrapped module's own hooks follow: observe that one
            recorder.on_forward_pre(module, args)

    def forward(module, args, output):
        if not _is_compile_wrapper(module):
            recorder.on_forward(module, args, output)

    handles = [
        register_module_forward_pre_hook(forward_pre),
        register_module_forward_hook(forward, always_call=True),
        register_optimizer_step_pre_hook(recorder.on_step_pre),
        register_optimizer_step_post_hook(recorder.on_step_post),
    ]
    undo.extend(h.remove for h in handles)

    def patch(owner: Any, name: str, replacement: Any) -> None:
        original = owner.__dict__[name] if name in owner.__dict__ else getattr(owner, name)
        setattr(owner, name, replacement)
        undo.append(lambda: setattr(owner, name, original))

    original_iter = tud.DataLoader.__iter__

    def loader_iter(loader):
        return recorder.wrap_loader_iterator(loader, original_iter(loader))

    patch(tud.DataLoader, "__iter__", loader_iter)

    from torch.nn.utils import clip_grad

    original_norm, original_value = clip_grad.clip_grad_norm_, clip_grad.clip_grad_value_

    def clip_grad_norm_(parameters, max_norm, *args, **kwargs):
        return recorder.on_clip(
            "norm", parameters, max_norm, lambda params: original_norm(params, max_norm, *args, **kwargs)
        )

    def clip_grad_value_(parameters, clip_value, *args, **kwargs):
        return recorder.on_clip(
            "value", parameters, clip_value, lambda params: original_value(params, clip_value, *args, **kwargs)
        )

    for owner in (clip_grad, torch.nn.utils):
        patch(owner, "clip_grad_norm_", clip_grad_norm_)
        patch(owner, "clip_grad_value_", clip_grad_value_)

    function_cls = torch.autograd.function.Function
    original_apply = function_cls.__dict__["apply"]

    def apply(cls, *args, **kwargs):
        bound = original_apply.__get__(None, cls)
        recorder.on_function_apply(cls, bound, args, kwargs)
        return bound(*args, **kwargs)

    patch(function_cls, "apply", classmethod(apply))

    original_set_epoch = tud.DistributedSampler.set_epoch

    def set_epoch(sampler, epoch):
        recorder.on_set_epoch(epoch)
        return original_set_epoch(sampler, epoch)

    patch(tud.DistributedSampler, "set_epoch", set_epoch)

    original_save = torch.save

    def save(obj, f, *args, **kwargs):
        recorder.on_save()
        return original_save(obj, io.BytesIO(), *args, **kwargs)  # serialise (same errors), write nothing

    patch(torch, "save", save)

    patch(torch, "compile", _compile_eagerly(recorder))

    original_init = torch.optim.Optimizer.__init__

    def optimizer_init(optimizer, *args, **kwargs):
        original_init(optimizer, *args, **kwargs)
        recorder.optimizers.add(optimizer)

    patch(torch.optim.Optimizer, "__init__", optimizer_init)

    mode = RecordingMode(recorder)
    mode.__enter__()

    def remove() -> None:
        try:
            mode.__exit__(None, None, None)
        except Exception:
            pass
        for action in reversed(undo):
            action()

    return remove


def _is_compile_wrapper(module: Any) -> bool:
    cls = type(module)
    return cls.__name__ == "OptimizedModule" and cls.__module__.startswith("torch._dynamo")


def _compile_eagerly(recorder: Recorder) -> Callable[..., Any]:
    """``torch.compile`` for the observed step: Dynamo would trace into the recorder's hooks (and compiling
    costs more than the step), so the model runs eagerly under the same wrapper a real compile returns
    (``OptimizedModule``, ``_orig_mod``, the same state_dict keys); ``nn.Module.compile()`` calls this too."""

    def compile_eagerly(model: Any = None, *args: Any, **kwargs: Any) -> Any:
        if model is None:  # @torch.compile(mode=...) used as a decorator factory
            return lambda fn: compile_eagerly(fn)
        recorder.obs["compiled"] = recorder.obs.get("compiled", 0) + 1
        import torch._dynamo

        return torch._dynamo.disable(model, recursive=True)

    return compile_eagerly
