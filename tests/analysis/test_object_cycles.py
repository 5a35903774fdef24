"""object_of must not cache an 'unknown' it only got because a resolution cycle was in progress."""

from __future__ import annotations

import textwrap

import libcst as cst

from nnlint.analysis.model import SemanticModel

SOURCE = textwrap.dedent(
    """
    import torch.nn as nn

    class Trainer:
        def __init__(self, model):
            self.model = model

        def train_epoch(self):
            self.model.train()

        def validate(self):
            self.model.eval()
            return self.model(1)

    Trainer(nn.Sequential(nn.Linear(2, 2))).validate()
    """
)


def test_self_attribute_resolves_in_every_method() -> None:
    model = SemanticModel(cst.parse_module(SOURCE))
    receivers = [call for call in model.calls if call.method_name in ("train", "eval")]
    assert len(receivers) == 2
    for call in receivers:  # the first query builds the callers table, which re-enters object_of
        assert model.object_of(call.receiver, call.scope).kind == "model"
