"""Whether Lightning shuffles a training loader itself: a ``Trainer`` that runs distributed replaces the
sampler of every training ``DataLoader`` with a ``DistributedSampler(shuffle=True)`` and sets its epoch.

Lightning does so when ``use_distributed_sampler`` (``replace_sampler_ddp`` before 2.0) is left at its default
``True`` and the strategy is distributed: a ``DDP``/``FSDP``/``DeepSpeed``/``ModelParallel``/``XLA``
strategy, named (``strategy="ddp"``, ``accelerator="ddp"`` in 1.x) or built (``DDPStrategy(...)``,
``DDPPlugin(...)``), or the automatic choice with several devices (``devices=4``), which is ``ddp``
(``gpus=2`` is not enough: before 1.0 it meant DataParallel). The training sampler then shuffles
whatever the loader said, unless ``overfit_batches`` is set. Lightning Fabric is different:
``fabric.setup_dataloaders`` gives its ``DistributedSampler`` the loader's own shuffle, so an unshuffled
loader stays unshuffled there.

Anything not literal in the ``Trainer(...)`` call (``**kwargs``, ``strategy=args.strategy``,
``devices="auto"``) leaves the question open, and the answer is then "no".
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from nnlint.analysis.model import Scope, SemanticModel
from nnlint.analysis.values import through_assignments

_FRAMEWORKS = ("pytorch_lightning.", "lightning.")
# strategy names of the registry (and 1.x accelerator/backend names) whose is_distributed is True
_DISTRIBUTED_NAMES = ("ddp", "fsdp", "deepspeed", "xla", "tpu_spawn", "horovod", "hpu_parallel", "bagua")
_SINGLE_NAMES = frozenset({"dp", "single_device", "single_xla", "single_tpu", "single_hpu", "ipu_strategy"})
# strategy classes (2.x) and training-type plugins (1.x) that are distributed
_DISTRIBUTED_CLASSES = frozenset(
    {
        "DDPStrategy",
        "DDPSpawnStrategy",
        "DDPShardedStrategy",
        "DDPSpawnShardedStrategy",
        "DDPFullyShardedStrategy",
        "DDPFullyShardedNativeStrategy",
        "FSDPStrategy",
        "DeepSpeedStrategy",
        "ModelParallelStrategy",
        "XLAStrategy",
        "XLAFSDPStrategy",
        "TPUSpawnStrategy",
        "HorovodStrategy",
        "HPUParallelStrategy",
        "DDPPlugin",
        "DDPSpawnPlugin",
        "DDP2Plugin",
        "DDPShardedPlugin",
        "DDPSpawnShardedPlugin",
        "DDPFullyShardedPlugin",
        "DeepSpeedPlugin",
        "TPUSpawnPlugin",
        "HorovodPlugin",
    }
)
_STRATEGY_KEYWORDS = ("strategy", "accelerator", "distributed_backend")  # the last two name a strategy in 1.x
# only `devices` (1.6+): several of them are DDP in every version that has it; `gpus=2` was DataParallel
# before 1.0 and DDP after, and `num_nodes` alone says nothing about the strategy the version picks
_COUNT_KEYWORDS = ("devices",)
_SAMPLER_SWITCHES = ("use_distributed_sampler", "replace_sampler_ddp")
_MAX_HOPS = 4


def shuffles_training_data(model: SemanticModel, trainer: cst.Call, scope: Scope) -> bool:
    """Whether the ``Trainer(...)`` call builds a trainer that puts a shuffling ``DistributedSampler`` under
    the training loaders it is given."""
    if any(arg.star for arg in trainer.args):
        return False
    for switch in _SAMPLER_SWITCHES:
        value = model.argument(trainer, None, switch)
        if value is not None and not _is_true(value):
            return False
    overfit = model.argument(trainer, None, "overfit_batches")
    if overfit is not None and model.number(overfit, scope) != 0:
        return False
    verdicts = (
        _strategy_verdict(model, model.argument(trainer, None, keyword), scope, keyword != "strategy")
        for keyword in _STRATEGY_KEYWORDS
    )
    explicit = [verdict for verdict in verdicts if verdict is not None]
    if explicit:
        return all(verdict == "distributed" for verdict in explicit)
    return any(_several(model, model.argument(trainer, None, keyword), scope) for keyword in _COUNT_KEYWORDS)


def _is_true(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "True"


def _strategy_verdict(
    model: SemanticModel, expr: Optional[cst.BaseExpression], scope: Scope, names_only: bool
) -> Optional[str]:
    """``"distributed"``, ``"single"``, ``"unknown"`` for a strategy argument; None when absent or automatic
    (then the device counts decide). ``names_only``: an ``accelerator=`` argument, which names a strategy
    only as a 1.x string (``accelerator="ddp"``); otherwise it is the hardware."""
    if expr is None or (isinstance(expr, cst.Name) and expr.value == "None"):
        return None
    value = through_assignments(model, expr, scope, _MAX_HOPS)
    if value is None:
        return None if names_only else "unknown"
    expr, scope = value
    if names_only and not isinstance(expr, cst.SimpleString):
        return None
    if isinstance(expr, cst.SimpleString):
        name = str(expr.evaluated_value).lower()
        if name == "auto" or name in ("gpu", "cpu", "tpu", "cuda", "mps", "hpu", "ipu"):
            return None  # an accelerator (1.x accelerator="gpu"), or the automatic strategy
        if name in _SINGLE_NAMES:
            return "single"
        return "distributed" if name.startswith(_DISTRIBUTED_NAMES) else "unknown"
    if isinstance(expr, cst.Call):
        qualname = model.callee_qualname(expr, scope) or ""
        if qualname.startswith(_FRAMEWORKS) and qualname.rsplit(".", 1)[-1] in _DISTRIBUTED_CLASSES:
            return "distributed"
    return "unknown"


def _several(model: SemanticModel, expr: Optional[cst.BaseExpression], scope: Scope) -> bool:
    """A literal device or node count above one: ``4``, ``[0, 1]``, ``"0,1"`` (``-1`` and ``"auto"`` are open)."""
    if expr is None:
        return False
    value = through_assignments(model, expr, scope, _MAX_HOPS)
    if value is None:
        return False
    expr, scope = value
    if isinstance(expr, (cst.List, cst.Tuple)):
        return len(expr.elements) > 1 and not any(isinstance(e, cst.StarredElement) for e in expr.elements)
    if isinstance(expr, cst.SimpleString):
        parts = [part for part in str(expr.evaluated_value).split(",") if part.strip()]
        if len(parts) > 1:
            return True
        text = parts[0].strip() if parts else ""
        return text.isdigit() and int(text) > 1
    count = model.number(expr, scope)
    return count is not None and count > 1
