"""What family a model belongs to, when rules judge a practice by it.

Recurrent and attention networks are the models for which clipping the gradient norm at a fixed threshold is
the established remedy for exploding gradients (recurrent nets since Pascanu et al., 2013; every transformer
recipe clips at 1.0), so there a fixed clip is a deliberate choice, not a cover for a learning rate that is
too high.

Built only on the public queries of :class:`~nnlint.analysis.model.SemanticModel`.
"""

from __future__ import annotations

import re
from typing import Optional, Set

from nnlint.analysis import torch_api as api
from nnlint.analysis.model import ClassInfo, Obj, SemanticModel

SEQUENCE_LAYERS = frozenset(
    api.NN + name
    for name in (
        "RNN",
        "LSTM",
        "GRU",
        "RNNCell",
        "LSTMCell",
        "GRUCell",
        "Transformer",
        "TransformerEncoder",
        "TransformerDecoder",
        "TransformerEncoderLayer",
        "TransformerDecoderLayer",
        "MultiheadAttention",
    )
)
SEQUENCE_FUNCTIONS = frozenset(
    {
        "torch.nn.functional.scaled_dot_product_attention",
        "torch.nn.functional.multi_head_attention_forward",
    }
)
# third-party model classes known only by name: `lightning.pytorch.demos.Transformer`, `GPT2LMHeadModel`
_SEQUENCE_CLASS_NAME = re.compile(r"transformer|lstm|gru|rnn|attention|gpt|bert|llama|mamba", re.I)
_MAX_DEPTH = 6


def is_sequence_model(model: SemanticModel, obj: Obj) -> Optional[bool]:
    """True for a recurrent or attention model, False for another known model, None when out of sight."""
    if obj.kind not in ("model", "layer"):
        return None
    if obj.cls is not None:
        return _class_is_sequence(obj.owner or model, obj.cls, set(), 0)
    if obj.qualname is None or obj.by_usage:
        return None
    if obj.qualname in api.CONTAINER_CLASSES:
        return None  # the elements decide; `nn.Sequential(...)` literals are rare around clipping
    return _is_sequence_name(obj.qualname)


def _is_sequence_name(qualname: str) -> bool:
    if qualname in SEQUENCE_LAYERS or qualname in SEQUENCE_FUNCTIONS:
        return True
    if qualname.startswith("torch."):
        return False
    if qualname.startswith("transformers."):
        return True
    last = qualname.rsplit(".", 1)[-1]
    return last[:1].isupper() and bool(_SEQUENCE_CLASS_NAME.search(last))


def _class_is_sequence(owner: SemanticModel, cls: ClassInfo, seen: Set[int], depth: int) -> bool:
    """Whether a user module class (or a module it builds, its bases included) is recurrent or attends."""
    if id(cls) in seen or depth > _MAX_DEPTH:
        return False
    seen.add(id(cls))
    for base in cls.bases:
        qualname = cls.owner.qualname(base, cls.scope.parent or cls.owner.module_scope)
        if qualname is not None and qualname not in api.MODULE_BASES and _is_sequence_name(qualname):
            return True  # `class Model(GPT2PreTrainedModel)`
    for candidate in [cls, *owner.base_classes(cls)]:
        for method in candidate.methods.values():
            for call in method.calls:
                qualname = candidate.owner.callee_qualname(call.node, call.scope)
                if qualname is not None and _is_sequence_name(qualname):
                    return True
                built = candidate.owner.resolve_class(call.node.func, call.scope)
                if (
                    built is not None
                    and built.owner.is_module_class(built)
                    and _class_is_sequence(built.owner, built, seen, depth + 1)
                ):
                    return True
    return False
