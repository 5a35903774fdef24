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


# --- pinned by mutation testing (bench/mutation.py): messages, evidence, fixes, framework-trained modules

from pathlib import Path  # noqa: E402

from nnlint.autofix import apply_edits  # noqa: E402
from nnlint.config import Config  # noqa: E402
from nnlint.engine import Linter  # noqa: E402


def _nn201(source: str):
    return lint_text(source, select=["NN201"])


def test_inline_softmax_message_evidence_and_fix() -> None:
    source = """\
import torch.nn as nn
import torch.nn.functional as F

model = nn.Linear(4, 3)
loss = F.cross_entropy(F.softmax(model(x), dim=1), y)
"""
    (finding,) = _nn201(source)
    assert (finding.line, finding.column) == (5, 8)
    assert finding.message == (
        "cross_entropy receives its input after softmax (line 5); it applies log-softmax itself, so pass the raw logits"
    )
    assert finding.evidence == {"activation": "softmax", "activation_at": "line 5"}
    assert finding.fix is not None
    assert apply_edits(source, finding.fix.edits).endswith("loss = F.cross_entropy(model(x), y)\n")


def test_the_second_loss_is_checked_after_a_clean_first_one() -> None:
    source = """\
import torch.nn as nn
import torch.nn.functional as F

model = nn.Linear(4, 3)
clean = F.cross_entropy(model(x), y)
loss = F.cross_entropy(F.log_softmax(model(x), dim=1), y)
"""
    findings = _nn201(source)
    assert [(f.line, f.column) for f in findings] == [(6, 8)]
    assert "after log_softmax (line 6)" in findings[0].message


def test_a_wrapped_loss_is_reported_without_a_fix() -> None:
    source = (
        HEADER
        + """
model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))

def compute_loss(outputs, targets):
    return F.cross_entropy(outputs, targets)

loss = compute_loss(model(x), y)
"""
    )
    (finding,) = _nn201(source)
    assert "receives the model's output after softmax (line 7)" in finding.message
    assert finding.fix is None


def test_a_model_of_another_file_is_quoted_with_its_file(tmp_path: Path) -> None:
    (tmp_path / "models.py").write_text(
        "import torch.nn as nn\n\n\ndef build():\n    return nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))\n"
    )
    (tmp_path / "train.py").write_text(
        "import torch.nn as nn\nfrom models import build\n\nmodel = build()\n"
        "loss = nn.CrossEntropyLoss()(model(x), y)\n"
    )
    findings = Linter(Config(select=["NN201", "NN002"])).lint_paths([str(tmp_path)])
    assert [(Path(f.path).name, f.line, f.column) for f in findings] == [("train.py", 5, 8)]
    assert "receives the model's output after softmax (models.py:5);" in findings[0].message
    assert findings[0].evidence == {"activation": "softmax", "activation_at": "models.py:5"}
    assert findings[0].fix is None


FRAMEWORK = """\
import torch.nn as nn
import torch.nn.functional as F
from skorch import NeuralNetClassifier


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        return {body}


net = NeuralNetClassifier(Net, criterion={loss}, max_epochs=5)
"""


def test_a_module_the_framework_trains_with_cross_entropy() -> None:
    findings = _nn201(FRAMEWORK.format(body="F.softmax(self.fc(x), dim=-1)", loss="nn.CrossEntropyLoss"))
    assert [(f.line, f.column) for f in findings] == [(15, 7)]
    assert findings[0].message == (
        "the framework trains this module with CrossEntropyLoss, but its output passes through softmax (line 12); "
        "the loss applies log-softmax itself, so return the raw logits"
    )
    assert findings[0].evidence == {"activation": "softmax", "activation_at": "line 12"}


@pytest.mark.parametrize(
    "body,loss",
    [
        ("self.fc(x)", "nn.CrossEntropyLoss"),  # raw logits
        ("F.log_softmax(self.fc(x), dim=-1)", "nn.NLLLoss"),  # the right pair
        ("self.fc(x) if self.training else F.softmax(self.fc(x), dim=-1)", "nn.CrossEntropyLoss"),  # eval only
    ],
)
def test_a_framework_trained_module_that_is_right_is_silent(body: str, loss: str) -> None:
    assert _nn201(FRAMEWORK.format(body=body, loss=loss)) == []


def test_a_second_framework_trainer_is_checked_after_another_loss() -> None:
    source = FRAMEWORK.format(body="F.softmax(self.fc(x), dim=-1)", loss="nn.NLLLoss")
    source += "net2 = NeuralNetClassifier(Net, criterion=nn.CrossEntropyLoss, max_epochs=5)\n"
    findings = _nn201(source)
    assert [(f.line, f.column) for f in findings] == [(16, 8)]


def test_a_framework_trained_module_softmax_only_in_eval_mode_is_silent() -> None:
    body = "F.softmax(self.fc(x), dim=-1)"
    source = FRAMEWORK.format(body=body, loss="nn.CrossEntropyLoss")
    source = source.replace(
        "        return F.softmax", "        if self.training:\n            return self.fc(x)\n        return F.softmax"
    )
    assert _nn201(source) == []


def test_a_framework_trainer_of_a_logits_module_does_not_stop_the_others() -> None:
    source = FRAMEWORK.format(body="F.softmax(self.fc(x), dim=-1)", loss="nn.CrossEntropyLoss")
    source = source.replace(
        "class Net(", "class Logits(nn.Module):\n    def forward(self, x):\n        return x\n\n\nclass Net("
    )
    source = source.replace(
        "net = NeuralNetClassifier(Net,",
        "first = NeuralNetClassifier(Logits, criterion=nn.CrossEntropyLoss)\nnet = NeuralNetClassifier(Net,",
    )
    findings = _nn201(source)
    assert [(f.line, f.column) for f in findings] == [(21, 7)]


def test_a_framework_trained_module_of_another_file(tmp_path: Path) -> None:
    (tmp_path / "models.py").write_text(
        "import torch.nn as nn\nimport torch.nn.functional as F\n\n\nclass Net(nn.Module):\n"
        "    def forward(self, x):\n        return F.softmax(x, dim=-1)\n"
    )
    (tmp_path / "train.py").write_text(
        "import torch.nn as nn\nfrom skorch import NeuralNetClassifier\nfrom models import Net\n\n"
        "net = NeuralNetClassifier(Net, criterion=nn.CrossEntropyLoss)\n"
    )
    findings = Linter(Config(select=["NN201", "NN002"])).lint_paths([str(tmp_path)])
    assert [(Path(f.path).name, f.line, f.column) for f in findings] == [("train.py", 5, 7)]
    assert "passes through softmax (models.py:7);" in findings[0].message
