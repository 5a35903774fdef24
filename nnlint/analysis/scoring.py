"""Scoring done by the project's own helpers in other files: ``decoder.decode(out)`` whose method takes
``torch.max`` of the output, ``loss.eval_batch(out, y)`` of a loss class that wraps ``nn.NLLLoss``.

An evaluation loop often scores its batches through such a helper rather than through a library loss or
an ``argmax`` written in the loop itself. Built only on the public queries of
:class:`~nnlint.analysis.model.SemanticModel`.
"""

from __future__ import annotations

from typing import Callable, Dict, Tuple

from nnlint.analysis.model import CallInfo, FunctionInfo, SemanticModel

_MAX_DEPTH = 2


def scores_in_other_file(
    model: SemanticModel,
    call: CallInfo,
    scores_here: Callable[[SemanticModel, CallInfo], bool],
    depth: int = _MAX_DEPTH,
) -> bool:
    """The call runs a function or method of another project file that computes a loss or a metric
    (judged by ``scores_here`` on its calls, through its helpers, a few files deep); no backward or
    optimizer step in it (a training helper is not scoring)."""
    if depth <= 0 or model.project is None:
        return False
    target = model.resolve_function(call.node.func, call.scope)
    if target is None or target.name == "forward" or target.scope.node in model.order:
        return False
    owner = model.owner_of(target)
    if owner is None or owner is model:
        return False
    return _function_scores(owner, target, scores_here, depth)


def _function_scores(
    owner: SemanticModel, func: FunctionInfo, scores_here: Callable[[SemanticModel, CallInfo], bool], depth: int
) -> bool:
    cache: Dict[Tuple[int, int], bool] = owner.__dict__.setdefault("_helper_scores", {})
    key = (id(func), depth)
    if key not in cache:
        cache[key] = False  # recursion: the function being asked about does not prove itself
        reachable = owner.reachable_calls(func.calls)
        if any(owner.is_backward_call(c) or owner.optimizer_step_target(c) is not None for c in reachable):
            return False
        cache[key] = any(scores_here(owner, c) for c in reachable) or any(
            scores_in_other_file(owner, c, scores_here, depth - 1) for c in reachable
        )
    return cache[key]
