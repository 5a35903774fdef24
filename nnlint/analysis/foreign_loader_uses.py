"""Loaders built by a factory of this file that another file of the project trains on.

``create_dataloader(path, ...)`` in ``utils/datasets.py`` builds and returns a ``DataLoader``;
``train.py`` unpacks it (``train_loader, dataset = create_dataloader(...)``) and trains on it. The
construction, where a fix would go, is in the factory's file: rules that judge a loader by how it is used
(NN101) see that use here through the factory's callers in the project.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator, List

import libcst as cst

from nnlint.analysis.loaders import loops_over_loaders
from nnlint.analysis.model import FunctionInfo, Obj, SemanticModel
from nnlint.analysis.symbols import LoopInfo


@dataclass(frozen=True)
class ForeignTraining:
    """A loader of this file (``loader``, returned by ``factory``) drawn from by a training loop of ``caller``."""

    factory: FunctionInfo
    loader: Obj
    construction: cst.Call  # the loader's ``DataLoader(...)`` call, in this file
    caller: SemanticModel
    loop: LoopInfo
    where: cst.BaseExpression  # the caller's expression the loop draws from


def _returned_loaders(model: SemanticModel, func: FunctionInfo) -> Iterator[Obj]:
    """Loaders built in this file that ``func`` returns, alone or as an item of a returned tuple."""
    for ret in func.returns:
        values = [e.value for e in ret.value.elements] if isinstance(ret.value, cst.Tuple) else [ret.value]
        for value in values:
            obj = model.object_of(value, func.scope)
            if obj.kind == "loader" and obj.owner is model and isinstance(obj.node, cst.Call):
                yield obj


def loaders_trained_on_by_callers(model: SemanticModel, worth_asking: Callable[[Obj], bool]) -> List[ForeignTraining]:
    """Loaders of this file's factories that a training loop of another project file draws from; only the
    loaders ``worth_asking`` accepts are looked for (finding the callers parses the files that may call)."""
    found: List[ForeignTraining] = []
    for func in model.functions:
        wanted = {id(obj.node): obj for obj in _returned_loaders(model, func) if worth_asking(obj)}
        if not wanted:
            continue
        for caller, _call in model.foreign_callers(func):
            for loop in caller.training_loops:
                for loader, where in loops_over_loaders(caller, loop):
                    ours = wanted.get(id(loader.node))
                    if ours is not None and loader.node is ours.node and isinstance(ours.node, cst.Call):
                        found.append(ForeignTraining(func, ours, ours.node, caller, loop, where))
    return found
