"""Loss calls of other project files that a model class of this file feeds.

``class SSLEvaluator(nn.Module)`` ends in ``nn.Softmax()`` in ``evaluator.py``; ``ssl_finetuner.py``
computes ``F.cross_entropy(self.evaluator(x), y)``. The finding belongs at the loss call there, and also
here, at the softmax a fix would remove: the rules that judge a loss by the tail of its prediction
(NN201, NN301) look at the loss calls of the files that name one of this file's module classes and keep
those whose tail lies in this file.
"""

from __future__ import annotations

from typing import Callable, Iterator, List, Optional, Set, Tuple

import libcst as cst

from nnlint.analysis.loss_inputs import LossCall, loss_calls
from nnlint.analysis.model import SemanticModel, Tail


def foreign_loss_calls(
    model: SemanticModel, families: Tuple[str, ...], needles: Tuple[bytes, ...]
) -> Iterator[Tuple[SemanticModel, LossCall]]:
    """(file, loss call) for the loss calls of ``families`` in the other project files that name a module
    class of this file and hold one of ``needles`` (the loss's spellings)."""
    if model.project is None or model.path.startswith("<"):
        return
    names = [cls.name for cls in model.classes if model.is_module_class(cls)]
    if not names:
        return
    others: List[SemanticModel] = []
    seen = set()
    for name in names:
        for needle in needles:
            for other in model.project.files_with_text(model, [name.encode(), needle]):
                if id(other) not in seen:
                    seen.add(id(other))
                    others.append(other)
    for other in others:
        for loss in loss_calls(other, *families):
            yield other, loss


def activations_fed_from_elsewhere(
    model: SemanticModel,
    families: Tuple[str, ...],
    needles: Tuple[bytes, ...],
    activation: str,
    usable: Callable[[SemanticModel, LossCall], Optional[Tail]],
) -> Iterator[Tuple[SemanticModel, LossCall, Tail, cst.CSTNode]]:
    """(file, loss call, tail, the activation's node) for each activation of this file that another file's
    loss call receives (``usable``: the loss's prediction tail, where the rule judges it), each activation
    once; nothing when the file's text does not name the ``activation`` at all."""
    if model.source is not None and activation not in model.source.lower():
        return
    reported: Set[int] = set()
    for other, loss in foreign_loss_calls(model, families, needles):
        tail = usable(other, loss)
        node = tail.node if tail is not None and tail.owner is model else None
        if tail is None or node is None or id(node) in reported:
            continue
        reported.add(id(node))
        yield other, loss, tail, node
