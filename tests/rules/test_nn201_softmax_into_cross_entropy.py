"""NN201: softmax reaching CrossEntropyLoss through Sequential tails, forward, methods, wrappers and
inline criteria; softmax on targets, for reporting, or on the eval branch stays silent."""
from __future__ import annotations

import pytest

from tests.conftest import codes, lint_text

HEADER = """
from collections import OrderedDict
import torch
import torch.nn as nn
import torch.nn.functional as F
"""


def nn201(body: str):
    return codes(lint_text(HEADER + body, select=["NN201"]))


@pytest.mark.parametrize(
    "body",
    [
        # OrderedDict Sequential moved to a device and wrapped in DataParallel
        """
model = nn.Sequential(OrderedDict([("fc", nn.Linear(4, 3)), ("prob", nn.Softmax(dim=1))])).to("cpu")
model = nn.DataParallel(model)
loss = nn.CrossEntropyLoss()(model(x), y)
""",
        # tensor method softmax on the logits, inline criterion
        """
model = nn.Linear(4, 3)
probs = model(x).softmax(dim=-1)
loss = F.cross_entropy(probs, y, label_smoothing=0.1)
""",
        # log_softmax is applied twice as well
        """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)
        self.out = nn.LogSoftmax(dim=1)
    def forward(self, x):
        return self.out(self.fc(x))

criterion = nn.CrossEntropyLoss()
loss = criterion(Net()(x), y)
""",
        # a helper that computes the loss from a model's probabilities
        """
model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))

def compute_loss(outputs, targets):
    return F.cross_entropy(outputs, targets)

loss = compute_loss(model(x), y)
""",
    ],
)
def test_probabilities_into_cross_entropy_are_flagged(body: str) -> None:
    assert nn201(body) == ["NN201"]


@pytest.mark.parametrize(
    "body",
    [
        # softmax of a teacher as soft targets (second argument)
        """
student = nn.Linear(4, 3)
teacher = nn.Linear(4, 3)
loss = F.cross_entropy(student(x), F.softmax(teacher(x) / 2.0, dim=1))
""",
        # log_softmax with NLLLoss
        """
model = nn.Sequential(nn.Linear(4, 3), nn.LogSoftmax(dim=1))
loss = nn.NLLLoss()(model(x), y)
""",
        # softmax kept for metrics, the loss sees the logits
        """
model = nn.Linear(4, 3)
logits = model(x)
loss = F.cross_entropy(logits, y)
confidence = F.softmax(logits, dim=1).max(dim=1).values
""",
        # softmax only in eval mode
        """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)
    def forward(self, x):
        x = self.fc(x)
        if self.training:
            return x
        return F.softmax(x, dim=1)

loss = F.cross_entropy(Net()(x), y)
""",
        # a Softmax layer inside the model (attention), not at its end
        """
class Attn(nn.Module):
    def __init__(self):
        super().__init__()
        self.score = nn.Linear(4, 4)
        self.norm = nn.Softmax(dim=-1)
        self.head = nn.Linear(4, 3)
    def forward(self, x):
        return self.head(self.norm(self.score(x)) * x)

loss = nn.CrossEntropyLoss()(Attn()(x), y)
""",
    ],
)
def test_look_alikes_are_silent(body: str) -> None:
    assert nn201(body) == []
