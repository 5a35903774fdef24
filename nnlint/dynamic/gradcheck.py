"""A directional gradient check for custom ``torch.autograd.Function`` classes (child side).

``torch.autograd.gradcheck`` builds the whole Jacobian (two forwards per input element); one random
direction costs two forwards and one backward whatever the size, which is what a one-step run can afford
(the same idea as gradcheck's ``fast_mode``). Deliberate gradient manipulations are left alone: a forward
that returns its input unchanged (gradient reversal, scaling, clipping) and a forward that is locally
constant (straight-through estimators for rounding/sign) are reported as such, never as a mismatch.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Sequence, cast

import torch


def _tensors(value: Any) -> List[torch.Tensor]:
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for item in value for t in _tensors(item)]
    return []


def directional_check(
    apply: Callable[..., Any],
    args: Sequence[Any],
    kwargs: Dict[str, Any],
    trials: int = 2,
    eps: float = 1e-6,
    seed: int = 1234,
) -> Optional[Dict[str, Any]]:
    """Compare the Function's backward with a central finite difference along random directions (float64)."""
    wanted = [
        i for i, a in enumerate(args) if isinstance(a, torch.Tensor) and a.is_floating_point() and a.requires_grad
    ]
    if not wanted:
        return None
    base = {i: args[i].detach().to(torch.float64) for i in wanted}

    def call(inputs: Dict[int, torch.Tensor]) -> List[torch.Tensor]:
        new_args = []
        for i, a in enumerate(args):
            if i in inputs:
                new_args.append(inputs[i])
            elif isinstance(a, torch.Tensor) and a.is_floating_point():
                new_args.append(a.detach().to(torch.float64))
            else:
                new_args.append(a)
        devices = [inputs[i].device for i in inputs if inputs[i].is_cuda]
        with torch.random.fork_rng(devices=devices[:1]):
            torch.manual_seed(seed)
            out = apply(*new_args, **kwargs)
        return [o for o in _tensors(out) if o.is_floating_point()]

    generator = torch.Generator().manual_seed(seed)
    worst: Dict[str, Any] = {"rel_error": 0.0}
    for _ in range(trials):
        leaves = {i: base[i].clone().requires_grad_(True) for i in wanted}
        with torch.enable_grad():
            outs = call(leaves)
            if not outs:
                return None
            if all(any(o.shape == b.shape and torch.equal(o.detach(), b) for b in base.values()) for o in outs):
                return {"identity_forward": True}
            weights = [torch.randn(o.shape, generator=generator, dtype=torch.float64).to(o.device) for o in outs]
            scalar = cast(torch.Tensor, sum((o * w).sum() for o, w in zip(outs, weights)))  # outs is not empty
            if not scalar.requires_grad:
                return None
            grads = torch.autograd.grad(scalar, [leaves[i] for i in wanted], allow_unused=True)
        directions = {
            i: torch.randn(base[i].shape, generator=generator, dtype=torch.float64).to(base[i].device) for i in wanted
        }
        analytic = sum(float((g * directions[i]).sum()) for g, i in zip(grads, wanted) if g is not None)
        with torch.no_grad():
            plus = call({i: base[i] + eps * directions[i] for i in wanted})
            minus = call({i: base[i] - eps * directions[i] for i in wanted})
            numeric = float(
                (sum((o * w).sum() for o, w in zip(plus, weights)) - sum((o * w).sum() for o, w in zip(minus, weights)))
                / (2 * eps)
            )
        scale = max(abs(analytic), abs(numeric), 1e-12)
        if abs(numeric) <= 1e-9 * max(abs(analytic), 1.0) and abs(analytic) > 0:
            return {"constant_forward": True, "analytic": analytic, "numeric": numeric}
        rel_error = abs(analytic - numeric) / scale
        if rel_error >= worst["rel_error"]:
            worst = {"rel_error": rel_error, "analytic": analytic, "numeric": numeric}
    return worst
