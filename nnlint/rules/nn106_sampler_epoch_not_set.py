from __future__ import annotations

from typing import Optional, Set

import libcst as cst

from nnlint.analysis.loaders import loops_over_loaders
from nnlint.analysis.model import FunctionInfo, LoopInfo, Obj, SemanticModel
from nnlint.context import RuleContext
from nnlint.rule import Rule

_DISTRIBUTED_SAMPLERS = frozenset(
    {"torch.utils.data.distributed.DistributedSampler", "torch.utils.data.DistributedSampler"}
)
# DistributedSampler(dataset, num_replicas, rank, shuffle, seed, drop_last);
# DataLoader(dataset, batch_size, shuffle, sampler)
_SHUFFLE_POSITION = 3
_LOADER_SAMPLER_POSITION = 3


class SamplerEpochNotSet(Rule):
    """## What it does
    Finds a shuffling `DistributedSampler` whose DataLoader feeds a training loop that runs for several
    epochs, when `sampler.set_epoch(epoch)` (or `loader.sampler.set_epoch(epoch)`) is never called.

    ## Why is this bad?
    `DistributedSampler` seeds its shuffle with `seed + epoch`, and the epoch only changes through
    `set_epoch`. Without it every epoch visits the samples in exactly the same order (and each rank
    always gets the same shard), which removes the benefit of shuffling: worse generalisation and
    correlated batches, with no error and no warning.

    ## Example
    ```python
    import torch
    from torch.utils.data import DataLoader
    from torch.utils.data.distributed import DistributedSampler

    sampler = DistributedSampler(dataset)
    loader = DataLoader(dataset, batch_size=32, sampler=sampler)
    for epoch in range(10):
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
    ```

    ## Use instead
    ```python
    import torch
    from torch.utils.data import DataLoader
    from torch.utils.data.distributed import DistributedSampler

    sampler = DistributedSampler(dataset)
    loader = DataLoader(dataset, batch_size=32, sampler=sampler)
    for epoch in range(10):
        sampler.set_epoch(epoch)
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
    ```

    ## How to fix
    Call `sampler.set_epoch(epoch)` at the start of every epoch, before iterating the loader
    (`train_loader.sampler.set_epoch(epoch)` when only the loader is at hand).
    """

    code = "NN106"
    name = "sampler-epoch-not-set"
    summary = "DistributedSampler without set_epoch(epoch): every epoch sees the same order"

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        # a DistributedSampler built here, by name or picked by a conditional (`RandomSampler if rank == -1 else
        # DistributedSampler`): the class's name is written in this file either way
        if model.source is not None and "DistributedSampler" not in model.source:
            return
        set_epoch_targets = self._set_epoch_targets(model)
        if set_epoch_targets is None:
            return  # a set_epoch call on something we cannot identify: assume it is this sampler
        reported: Set[int] = set()
        for loop in model.training_loops:
            if not _repeats(model, loop):
                continue
            for loader, _ in loops_over_loaders(model, loop):
                sampler = _sampler_of(loader)
                if sampler is None or not isinstance(sampler.node, cst.Call) or not _is_distributed(sampler):
                    continue
                if id(sampler.node) in set_epoch_targets or id(sampler.node) in reported:
                    continue
                if _shuffle_disabled(sampler):
                    continue
                reported.add(id(sampler.node))
                node = sampler.node if sampler.owner is model else (loop.iter or loop.node)
                ctx.report(
                    node,
                    "DistributedSampler feeds the training loop but set_epoch(epoch) is never called: every "
                    "epoch (and rank) sees the same order; call sampler.set_epoch(epoch) at the start of each epoch",
                    evidence={"training_loop_line": model.line_of(loop.node)},
                )

    @staticmethod
    def _set_epoch_targets(model: SemanticModel) -> Optional[Set[int]]:
        """Construction nodes of the samplers that get set_epoch; None if some receiver is unidentifiable."""
        targets: Set[int] = set()
        for call in model.calls:
            if call.method_name != "set_epoch" or call.receiver is None:
                continue
            obj = model.object_of(call.receiver, call.scope)
            if obj.kind != "sampler" or obj.node is None:
                return None
            targets.add(id(obj.node))
        return targets


def _sampler_of(loader: Obj) -> Optional[Obj]:
    if not isinstance(loader.node, cst.Call) or loader.owner is None or loader.scope is None:
        return None
    expr = loader.owner.argument(loader.node, _LOADER_SAMPLER_POSITION, "sampler")
    if expr is None:
        return None
    obj = loader.owner.object_of(expr, loader.scope)
    return obj if obj.kind == "sampler" else None


def _is_distributed(sampler: Obj) -> bool:
    """A DistributedSampler, or a class chosen between it and another one (``RandomSampler if rank == -1 else
    DistributedSampler``): distributed on the paths that matter here."""
    if sampler.qualname in _DISTRIBUTED_SAMPLERS:
        return True
    if not isinstance(sampler.node, cst.Call) or sampler.owner is None or sampler.scope is None:
        return False
    choices = sampler.owner.chosen_classes(sampler.node.func, sampler.scope)
    return any(qualname in _DISTRIBUTED_SAMPLERS for qualname, _ in choices)


def _shuffle_disabled(sampler: Obj) -> bool:
    assert isinstance(sampler.node, cst.Call) and sampler.owner is not None
    shuffle = sampler.owner.argument(sampler.node, _SHUFFLE_POSITION, "shuffle")
    return isinstance(shuffle, cst.Name) and shuffle.value == "False"


def _repeats(model: SemanticModel, loop: LoopInfo) -> bool:
    """Whether a loop runs more than once per script: nested in an (epoch) loop, or in a function called from one."""
    if loop.parent is not None:
        return True
    return _function_repeats(model, loop.function, 0)


def _function_repeats(model: SemanticModel, func: Optional[FunctionInfo], depth: int) -> bool:
    if func is None or depth > 3:
        return False
    for caller in model.callers(func):
        if caller.loops or _function_repeats(model, caller.function, depth + 1):
            return True
    return False
