"""NN203: functional dropout in module methods with training missing or True."""

from __future__ import annotations

from tests.conftest import codes, lint_text

HEADER = """
import torch
import torch.nn as nn
import torch.nn.functional as F
"""


def nn203(body: str):
    return codes(lint_text(HEADER + body, select=["NN203"]))


def test_helper_method_and_inherited_module_base() -> None:
    body = """
class Base(nn.Module):
    pass

class Net(Base):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
    def _block(self, x):
        return F.dropout3d(self.fc(x), 0.1)
    def forward(self, x):
        return torch.dropout(self._block(x), 0.2, True)
"""
    assert nn203(body) == ["NN203", "NN203"]


def test_training_flags_and_alpha_default_are_silent() -> None:
    body = """
class Net(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p
    def forward(self, x, mc_dropout=False):
        x = F.dropout(x, self.p, self.training)
        x = F.dropout(x, self.p, training=self.training or mc_dropout)
        x = F.alpha_dropout(x, 0.1)
        return F.dropout2d(x, p=0.1, training=False)

def augment(x):
    return F.dropout(x, 0.1)
"""
    assert nn203(body) == []


def test_fix_passes_the_training_flag() -> None:
    findings = lint_text(
        HEADER + "class M(nn.Module):\n    def forward(me, x):\n        return F.dropout(x, 0.5)\n", select=["NN203"]
    )
    assert len(findings) == 1 and findings[0].fix is not None
    assert findings[0].fix.edits[0].replacement == ", training=me.training"


def test_dropout_under_a_training_test_is_silent() -> None:
    body = """
class Net(nn.Module):
    def forward(self, x):
        if self.training and self.p > 0:
            x = F.dropout(x, self.p)
        return F.dropout2d(x, 0.1) if self.training else x
"""
    assert nn203(body) == []


def test_monte_carlo_dropout_modules_are_silent() -> None:
    body = """
class MCDropout(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p
    def forward(self, x):
        return F.dropout(x, self.p, training=True)

class BayesianHead(nn.Module):
    def forward(self, x):
        return F.dropout(x, 0.2, True)
"""
    assert nn203(body) == []
