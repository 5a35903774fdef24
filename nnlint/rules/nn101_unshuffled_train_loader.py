from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Callable, List, Set

import libcst as cst

from nnlint.analysis.batch_use import loop_discards_targets
from nnlint.analysis.loaders import (
    dataset_style,
    lightning_train_loaders,
    loader_order,
    loops_over_loaders,
    returned_training_split_loaders,
)
from nnlint.analysis.foreign_loader_uses import loaders_trained_on_by_callers
from nnlint.analysis.ignite_engines import engine_train_loaders
from nnlint.analysis.model import Obj, SemanticModel
from nnlint.analysis.symbols import LoopInfo
from nnlint.analysis.trainer_fit import fit_shuffles_training_data, fitted_train_loaders, hooks_shuffled_by_trainers
from nnlint.context import RuleContext
from nnlint.fixes import enable_shuffle
from nnlint.rule import Rule


def _text(text: str) -> str:
    return text


def _at_line(what: str, model: SemanticModel, node: cst.CSTNode) -> str:
    return f"{what} at line {model.line_of(node)}"


def _may_be_unshuffled(loader: Obj) -> bool:
    order = loader_order(loader)
    return order is not None and not order.opaque and not order.has_sampler and order.shuffle is False


def _loop_discards_targets(model: SemanticModel, loop: LoopInfo, loader: Obj, where: cst.BaseExpression) -> bool:
    return where is loop.iter and loop_discards_targets(model, loop, loader)


@dataclass(frozen=True)
class _Use:
    """One way a loader feeds training."""

    loader: Obj
    where: cst.BaseExpression
    describe: Callable[[], str]
    repeated: Callable[[], bool] = lambda: True
    discards_targets: Callable[[], bool] = lambda: False
    # a factory's loader trained on by another file: the factory may build evaluation loaders too, so
    # shuffling at its construction is the user's call, not an automatic fix
    fixable: bool = True


class UnshuffledTrainLoader(Rule):
    """## What it does
    Finds a `DataLoader` whose batches reach `backward()`/`optimizer.step()` in a training loop while
    it neither shuffles (`shuffle` absent, `False` or `None`) nor draws through a `sampler`/`batch_sampler`.
    The loader is followed from the loop to where it is built: through variables, `self.loader`,
    function parameters, helpers that return loaders, `enumerate`/`tqdm`/`iter`+`next`, and other files
    of the project. Loaders that Lightning trains on count too: those a `train_dataloader` hook returns
    and those handed to `Trainer.fit(model, train_loader)`, and the data of an ignite training engine
    (`Engine(update)` whose update backpropagates, `create_supervised_trainer`) run with
    `trainer.run(train_loader, max_epochs=n)`. A Lightning `Trainer` that runs distributed (a `ddp`/`fsdp`/
    `deepspeed` strategy, `DDPStrategy(...)`, `ModelParallelStrategy(...)`, `devices=4`)
    shuffles its training loaders itself (its `use_distributed_sampler`, on by default, puts a shuffling
    `DistributedSampler` under them), so what it fits is left alone; Fabric's `setup_dataloaders` keeps the
    loader's own order and is not. A loop that throws every batch's targets away (`for x, _ in loader`,
    `batch[0]` only, a target name it never reads) has no class order to follow and is left alone too; the
    loader is still reported for its other training loops. Loaders that only feed evaluation, loaders whose
    `shuffle` is a variable (`shuffle=is_train`), streaming `IterableDataset`s (torchtext's, webdataset's,
    `streaming=True`) and data sets whose every sample is random numbers are left alone; a data set whose class is
    out of sight (a parameter, a third-party class) is taken as indexable, as almost every data set is, when
    the training loop runs for several epochs.

    ## Why is this bad?
    Without shuffling every epoch presents the samples in the same order, usually the order the data
    set was written in: often sorted by class or by source. Batches then hold one class at a time,
    BatchNorm statistics are skewed, and SGD chases each block in turn; the model learns slowly or
    forgets the earlier classes, and the epochs are perfectly correlated.

    ## Example
    ```python
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    train_loader = DataLoader(TensorDataset(x_train, y_train), batch_size=64)
    for epoch in range(10):
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
    ```

    ## Use instead
    ```python
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    train_loader = DataLoader(TensorDataset(x_train, y_train), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(x_val, y_val), batch_size=256)  # evaluation: order is irrelevant
    for epoch in range(10):
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
    ```

    ## How to fix
    Pass `shuffle=True` to the training `DataLoader`, or a sampler (`RandomSampler`,
    `WeightedRandomSampler`, `DistributedSampler` with `set_epoch`). Keep evaluation loaders unshuffled.
    """

    code = "NN101"
    name = "unshuffled-train-loader"
    summary = "a DataLoader that feeds training neither shuffles nor samples"

    def check(self, ctx: RuleContext) -> None:
        model = ctx.model
        uses: List[_Use] = []
        for loop in model.training_loops:
            for loader, where in loops_over_loaders(model, loop):
                # the description is built only when reported: line numbers cost a position pass over the file
                uses.append(
                    _Use(
                        loader,
                        where,
                        partial(_at_line, "the training loop", model, loop.node),
                        partial(model.loop_repeats, loop),
                        partial(_loop_discards_targets, model, loop, loader, where),
                    )
                )
        for method, loader, where in lightning_train_loaders(model):
            if method.cls is not None and hooks_shuffled_by_trainers(model, method.cls):
                continue  # every trainer of the module runs distributed: Lightning shuffles it
            uses.append(_Use(loader, where, partial(_text, f"training (returned by {method.name})")))
        for fit, loader, where in fitted_train_loaders(model):
            if fit_shuffles_training_data(model, fit):
                continue
            uses.append(_Use(loader, where, partial(_at_line, "Trainer.fit", model, fit.node)))
        for run, loader, where in engine_train_loaders(model):
            uses.append(
                _Use(
                    loader,
                    where,
                    partial(_at_line, "the training engine run", model, run.node),
                    partial(_several_epochs, model, run.node),
                )
            )
        for func, loader, where in returned_training_split_loaders(model):
            uses.append(
                _Use(
                    loader,
                    where,
                    partial(_text, f"training elsewhere (the training part of a split, returned by {func.name})"),
                    partial(bool, False),
                )
            )
        for foreign in loaders_trained_on_by_callers(model, _may_be_unshuffled):
            uses.append(
                _Use(
                    foreign.loader,
                    foreign.construction,
                    partial(_text, f"the training loop at {foreign.caller.where(foreign.loop.node, model)}"),
                    partial(foreign.caller.loop_repeats, foreign.loop),
                    partial(_loop_discards_targets, foreign.caller, foreign.loop, foreign.loader, foreign.where),
                    fixable=False,
                )
            )
        reported: Set[int] = set()
        for use in uses:
            self._check_loader(ctx, use, reported)

    @staticmethod
    def _check_loader(ctx: RuleContext, use: _Use, reported: Set[int]) -> None:
        model = ctx.model
        loader, where = use.loader, use.where
        if id(loader.node) in reported:
            return
        order = loader_order(loader)
        if order is None or order.opaque or order.has_sampler or order.shuffle is not False:
            return
        style = dataset_style(loader)
        if style in ("iterable", "synthetic"):
            return
        if style == "unknown" and not use.repeated():
            return  # a data set out of sight read in a single pass: too little to go on
        if use.discards_targets():
            return  # a loop that throws the targets away has no class order to follow (its other uses may)
        reported.add(id(loader.node))
        feeds = use.describe()
        assert loader.owner is not None and isinstance(loader.node, cst.Call)
        here = loader.owner is model
        anchor = loader.node if here else where
        built = "" if here else f" (built at {loader.owner.where(loader.node, model)})"
        when = " (its sampler is None on some paths)" if order.sampler_may_be_none else ""
        ctx.report(
            anchor,
            f"this DataLoader{built} feeds {feeds} without shuffle=True or a sampler{when}: every epoch sees "
            "the samples in the same (often class-sorted) order",
            evidence={"feeds": feeds},
            fix=enable_shuffle(ctx, loader.node) if here and use.fixable else None,
        )


def _several_epochs(model: SemanticModel, run: cst.Call) -> bool:
    """``engine.run(data, max_epochs=n)`` with ``n`` not a literal 1 (ignite's default is one epoch)."""
    epochs = model.argument(run, 1, "max_epochs")
    return epochs is not None and not (isinstance(epochs, cst.Integer) and epochs.value == "1")
