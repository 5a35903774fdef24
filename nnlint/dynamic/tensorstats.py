"""Tensor statistics the child process sends back (runs in the child: imports torch).

Every function returns plain Python numbers so the result is JSON-ready; all work is done in float64
under ``torch.no_grad()`` so the statistics never join the user's autograd graph.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import torch


def summary(tensor: torch.Tensor) -> Dict[str, Any]:
    """Shape, range, mean, std, and how degenerate the tensor is."""
    with torch.no_grad():
        data = tensor.detach()
        out: Dict[str, Any] = {"shape": list(data.shape), "dtype": str(data.dtype).replace("torch.", "")}
        if data.numel() == 0:
            out["empty"] = True
            return out
        if data.is_complex():
            return out
        if data.layout != torch.strided:  # sparse: statistics of its dense form would be those of its zeros
            out["layout"] = str(data.layout).replace("torch.", "")
            return out
        values = data.double() if data.is_floating_point() else data.long().double()
        finite = torch.isfinite(values)
        out["nonfinite"] = int((~finite).sum().item())
        clean = values[finite] if out["nonfinite"] else values.flatten()
        if clean.numel() == 0:
            return out
        out["min"] = clean.min().item()
        out["max"] = clean.max().item()
        out["mean"] = clean.mean().item()
        out["std"] = clean.std(unbiased=False).item() if clean.numel() > 1 else 0.0
        out["all_zero"] = bool(out["nonfinite"] == 0 and out["min"] == 0.0 and out["max"] == 0.0)
        out["constant"] = bool(out["nonfinite"] == 0 and out["min"] == out["max"] and data.numel() > 1)
        if data.dim() >= 2 and data.shape[0] >= 2:
            out["samples_identical"] = bool(out["nonfinite"] == 0 and torch.equal(data, data[:1].expand_as(data)))
        return out


def digest(tensor: torch.Tensor) -> List[Any]:
    """A cheap, position-sensitive fingerprint: equal tensors give equal digests, others almost never."""
    with torch.no_grad():
        if tensor.layout != torch.strided:  # sparse: its values, in their stored order
            tensor = tensor.detach().coalesce().values() if tensor.layout == torch.sparse_coo else tensor.detach()
            if tensor.layout != torch.strided:
                return [list(tensor.shape), str(tensor.layout)]
        flat = tensor.detach().flatten()
        if flat.is_complex() or flat.numel() == 0:
            return [list(tensor.shape)]
        values = flat.double()
        weights = (torch.arange(flat.numel(), device=flat.device, dtype=torch.float64) % 9973) + 1.0
        return [list(tensor.shape), str(tensor.dtype), values.nansum().item(), (values * weights).nansum().item()]


def class_rows(logits: torch.Tensor, class_dim: int = 1) -> torch.Tensor:
    """(rows, C) float64 view of a classification input whose classes lie along ``class_dim``."""
    data = logits.detach().double()
    if data.dim() == 1:
        return data.unsqueeze(0)
    return data.movedim(class_dim, -1).reshape(-1, data.shape[class_dim])


def distribution_stats(logits: torch.Tensor) -> Dict[str, Any]:
    """Is a classification loss input made of probabilities, log-probabilities, or logits?"""
    with torch.no_grad():
        rows = class_rows(logits)
        finite = bool(torch.isfinite(rows).all().item())
        out: Dict[str, Any] = {"rows": int(rows.shape[0]), "classes": int(rows.shape[1]), "finite": finite}
        if not finite or rows.numel() == 0:
            return out
        out["min"] = rows.min().item()
        out["max"] = rows.max().item()
        out["row_sum_max_dev"] = (rows.sum(-1) - 1.0).abs().max().item()
        out["row_logsumexp_max_abs"] = rows.logsumexp(-1).abs().max().item()
        return out


def label_stats(target: torch.Tensor, max_classes: int = 100_000) -> Optional[Dict[str, Any]]:
    """Class counts of an integer (or 0/1) label tensor, and whether it is sorted."""
    with torch.no_grad():
        data = target.detach().flatten()
        if data.numel() == 0:
            return None
        if data.is_floating_point():
            if not bool(((data == 0) | (data == 1)).all().item()):
                return None
        elif data.dtype == torch.bool:
            pass
        elif data.is_complex():
            return None
        labels = data.long().cpu()
        if labels.min().item() < -1 or labels.max().item() >= max_classes:
            return None
        values, counts = torch.unique(labels, return_counts=True)
        diffs = labels[1:] - labels[:-1]
        return {
            "n": int(labels.numel()),
            "counts": {str(int(v)): int(c) for v, c in zip(values.tolist(), counts.tolist())},
            "non_decreasing": bool((diffs >= 0).all().item()) if labels.numel() > 1 else True,
            "non_increasing": bool((diffs <= 0).all().item()) if labels.numel() > 1 else True,
            "head": labels[:64].tolist(),
        }


def dead_unit_stats(output: torch.Tensor) -> Optional[Dict[str, Any]]:
    """Units (features) of a ReLU output that are zero for every sample of the batch.

    For a 3-D output the feature axis is ambiguous ((N, C, L) for Conv1d, (N, T, C) for sequences), so
    both readings are computed and the smaller dead fraction kept: prefer silence.
    """
    with torch.no_grad():
        data = output.detach()
        if data.dim() < 2 or not data.is_floating_point():
            return None
        candidates = {1, data.dim() - 1}
        best: Optional[Dict[str, Any]] = None
        for axis in sorted(candidates):
            units = data.shape[axis]
            alive = (data != 0).movedim(axis, 0).reshape(units, -1).any(dim=1)
            dead = int((~alive).sum().item())
            entry = {"units": int(units), "dead": dead, "samples": int(data.shape[0]), "axis": axis}
            if best is None or dead / max(units, 1) < best["dead"] / max(best["units"], 1):
                best = entry
        return best


def identical_rows(weight: torch.Tensor) -> bool:
    """All output units of a weight (rows along dim 0) hold the same values: the layer is symmetric."""
    with torch.no_grad():
        data = weight.detach()
        if data.dim() < 2 or data.shape[0] < 2:
            return False
        flat = data.reshape(data.shape[0], -1)
        return bool(torch.equal(flat, flat[:1].expand_as(flat)))


def norm(tensor: torch.Tensor) -> float:
    with torch.no_grad():
        return tensor.detach().double().norm().item()
