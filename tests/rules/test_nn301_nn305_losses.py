"""NN301-NN305 on shapes beyond the docstring examples: aliases, class models, helpers, look-alikes."""

from __future__ import annotations

from tests.conftest import codes, lint_text

HEADER = """
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
"""


def lint(body: str, code: str) -> list:
    return codes(lint_text(HEADER + body, select=[code]))


# ----------------------------------------------------------------------------------- NN301
def test_nn301_class_forward_returning_sigmoid_with_aliased_loss() -> None:
    body = """
from torch.nn import BCEWithLogitsLoss as LogitLoss

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 1)

    def forward(self, x):
        return torch.sigmoid(self.fc(x)).squeeze(1)

model = Net()
criterion = LogitLoss()
loss = criterion(model(torch.randn(4, 8)), torch.ones(4))
"""
    assert lint(body, "NN301") == ["NN301"]


def test_nn301_method_sigmoid_in_loop_variable() -> None:
    body = """
model = nn.Sequential(nn.Linear(8, 1))
out = model(torch.randn(4, 8))
probs = out.sigmoid()
loss = F.binary_cross_entropy_with_logits(probs, torch.ones(4, 1))
"""
    assert lint(body, "NN301") == ["NN301"]


def test_nn301_silent_when_sigmoid_only_for_metrics() -> None:
    body = """
model = nn.Sequential(nn.Linear(8, 1))
logits = model(torch.randn(4, 8))
loss = nn.BCEWithLogitsLoss(pos_weight=torch.tensor([2.0]))(logits, torch.ones(4, 1))
accuracy = ((torch.sigmoid(logits) > 0.5).float() == 1).float().mean()
"""
    assert lint(body, "NN301") == []


def test_nn301_silent_when_model_is_unknown() -> None:
    body = """
from somewhere import build_model
model = build_model()
loss = F.binary_cross_entropy_with_logits(model(torch.randn(4, 8)), torch.ones(4, 1))
"""
    assert lint(body, "NN301") == []


# ----------------------------------------------------------------------------------- NN302
def test_nn302_functional_nll_on_class_model() -> None:
    body = """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(8, 16)
        self.fc2 = nn.Linear(16, 3)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        return self.fc2(x)

model = Net()
loss = F.nll_loss(model(torch.randn(4, 8)), torch.tensor([0, 1, 2, 0]))
"""
    assert lint(body, "NN302") == ["NN302"]


def test_nn302_silent_with_log_softmax_in_loop_or_model() -> None:
    body = """
model = nn.Sequential(nn.Linear(8, 3))
target = torch.tensor([0, 1, 2, 0])
a = F.nll_loss(F.log_softmax(model(torch.randn(4, 8)), dim=1), target)
b = nn.NLLLoss()(torch.log_softmax(model(torch.randn(4, 8)), dim=1), target)
closed = nn.Sequential(nn.Linear(8, 3), nn.LogSoftmax(dim=1))
c = nn.NLLLoss()(closed(torch.randn(4, 8)), target)
"""
    assert lint(body, "NN302") == []


# ----------------------------------------------------------------------------------- NN303
def test_nn303_clamped_linear_output_through_variable() -> None:
    body = """
model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 1))
scores = model(torch.randn(4, 8))
clipped = torch.clamp(scores, 1e-7, 1 - 1e-7)
loss = nn.BCELoss()(clipped, torch.ones(4, 1))
"""
    assert lint(body, "NN303") == ["NN303"]


def test_nn303_silent_with_sigmoid_anywhere_before_the_loss() -> None:
    body = """
model = nn.Sequential(nn.Linear(8, 1))
a = F.binary_cross_entropy(torch.sigmoid(model(torch.randn(4, 8))), torch.ones(4, 1))
closed = nn.Sequential(nn.Linear(8, 1), nn.Sigmoid())
b = nn.BCELoss()(closed(torch.randn(4, 8)).clamp(1e-6, 1 - 1e-6), torch.ones(4, 1))
"""
    assert lint(body, "NN303") == []


def test_nn303_silent_on_unknown_input() -> None:
    body = """
def loss_of(probabilities, target):
    return F.binary_cross_entropy(probabilities, target)
"""
    assert lint(body, "NN303") == []


# ----------------------------------------------------------------------------------- NN304
def test_nn304_log_method_and_model_ending_in_softmax() -> None:
    body = """
probs = F.softmax(torch.randn(4, 3), dim=1)
a = probs.log()
model = nn.Sequential(nn.Linear(8, 3), nn.Softmax(dim=1))
b = torch.log(model(torch.randn(4, 8)))
"""
    assert lint(body, "NN304") == ["NN304", "NN304"]


def test_nn304_silent_on_guarded_and_positive_logs() -> None:
    body = """
p = torch.softmax(torch.randn(4, 3), dim=1)
q = torch.sigmoid(torch.randn(4))
a = torch.log(p + 1e-8)
b = torch.log(p.clamp(min=1e-8))
c = torch.log(torch.clamp(q, 1e-6, 1.0))
d = torch.log(torch.exp(torch.randn(3)))
e = torch.log(torch.randn(3) ** 2 + 1)
f = F.log_softmax(torch.randn(4, 3), dim=1)
g = F.logsigmoid(torch.randn(4))
"""
    assert lint(body, "NN304") == []


def test_nn304_ignores_lightning_self_log() -> None:
    body = """
class Lit(nn.Module):
    def training_step(self, batch, batch_idx):
        loss = torch.sigmoid(batch).mean()
        self.log("train_loss", loss)
        return loss
"""
    assert lint(body, "NN304") == []


# ----------------------------------------------------------------------------------- NN305
def test_nn305_functional_mse_with_enumerate_loader_and_tuple_data() -> None:
    body = """
x, y = torch.randn(64, 5), torch.rand(64) * 10 + 1
loader = DataLoader(TensorDataset(x, y), batch_size=8, shuffle=True)
model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Dropout(0.1), nn.Linear(8, 1))
for step, (xb, yb) in enumerate(loader):
    loss = F.mse_loss(model(xb), yb)
"""
    assert lint(body, "NN305") == ["NN305"]


def test_nn305_matmul_built_target() -> None:
    body = """
features = torch.randn(100, 13)
target = features @ torch.randn(13) + 0.1 * torch.randn(100)
loader = DataLoader(TensorDataset(features, target), batch_size=10, shuffle=True)
model = nn.Sequential(nn.Linear(13, 1))
criterion = nn.L1Loss()
for xb, yb in loader:
    loss = criterion(model(xb), yb)
"""
    assert lint(body, "NN305") == ["NN305"]


def test_nn305_silent_when_shapes_agree_or_are_unknown() -> None:
    body = """
x = torch.randn(64, 5)
y = torch.randn(64)
column = torch.randn(64, 1)
loader = DataLoader(TensorDataset(x, y, column), batch_size=8, shuffle=True)
model = nn.Sequential(nn.Linear(5, 1))
wide = nn.Sequential(nn.Linear(5, 2))
criterion = nn.MSELoss()
for xb, yb, cb in loader:
    a = criterion(model(xb).squeeze(1), yb)
    b = criterion(model(xb).view(-1), yb)
    c = criterion(model(xb), yb.unsqueeze(1))
    d = criterion(model(xb), cb)
    e = criterion(wide(xb)[:, 0], yb)

def unknown(model, inputs, targets):
    return F.mse_loss(model(inputs), targets)
"""
    assert lint(body, "NN305") == []


def test_nll_on_softmax_probabilities_is_reported_at_the_loss() -> None:
    from tests.conftest import lint_text

    findings = lint_text(
        """
        import torch.nn.functional as F

        output = model(x)
        output = F.softmax(output, dim=1)
        loss = F.nll_loss(output, y)
        """,
        select=["NN302"],
    )
    assert [(f.line, f.column) for f in findings] == [(6, 8)]
    assert "softmax probabilities (line 5)" in findings[0].message


def test_nll_on_log_softmax_is_silent() -> None:
    from tests.conftest import lint_text

    findings = lint_text(
        """
        import torch.nn.functional as F

        loss = F.nll_loss(F.log_softmax(model(x), dim=1), y)
        """,
        select=["NN302"],
    )
    assert findings == []


# --------------------------------------------- NN301 pinned by mutation testing (bench/mutation.py)
from nnlint.autofix import apply_edits  # noqa: E402


def test_nn301_inline_sigmoid_message_evidence_and_fix() -> None:
    source = (
        HEADER
        + """
model = nn.Linear(8, 1)
clean = F.binary_cross_entropy_with_logits(model(x), y)
loss = F.binary_cross_entropy_with_logits(torch.sigmoid(model(x)), y)
"""
    )
    findings = lint_text(source, select=["NN301"])
    assert [(f.line, f.column) for f in findings] == [(9, 8)]
    assert findings[0].message == (
        "binary_cross_entropy_with_logits receives its input after a sigmoid (line 9); it applies the sigmoid "
        "itself, so pass the raw logits"
    )
    assert findings[0].evidence == {"activation": "sigmoid", "activation_at": "line 9"}
    assert findings[0].fix is not None
    assert apply_edits(source, findings[0].fix.edits).endswith(
        "loss = F.binary_cross_entropy_with_logits(model(x), y)\n"
    )


def test_nn301_the_model_output_after_a_sigmoid_layer() -> None:
    source = (
        HEADER
        + """
model = nn.Sequential(nn.Linear(8, 1), nn.Sigmoid())
loss = nn.BCEWithLogitsLoss()(model(x), y)
"""
    )
    findings = lint_text(source, select=["NN301"])
    assert [(f.line, f.column) for f in findings] == [(8, 8)]
    assert "BCEWithLogitsLoss receives the model's output after a sigmoid (line 7)" in findings[0].message
    assert findings[0].fix is not None
    assert "nn.Sequential(nn.Linear(8, 1))" in apply_edits(source, findings[0].fix.edits)
    assert lint_text(source.replace("nn.Sigmoid()", "nn.Tanh()"), select=["NN301"]) == []


def test_nn301_other_losses_and_an_eval_only_sigmoid_are_silent() -> None:
    assert lint(HEADER + "\nmodel = nn.Linear(8, 1)\nloss = nn.BCELoss()(torch.sigmoid(model(x)), y)\n", "NN301") == []
    eval_only = (
        HEADER
        + """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 1)

    def forward(self, x):
        if self.training:
            return self.fc(x)
        return torch.sigmoid(self.fc(x))

loss = nn.BCEWithLogitsLoss()(Net()(x), y)
"""
    )
    assert lint(eval_only, "NN301") == []


def test_nn301_a_model_of_another_file_is_quoted_with_its_file(tmp_path) -> None:
    from pathlib import Path

    from nnlint.config import Config
    from nnlint.engine import Linter

    (tmp_path / "models.py").write_text(
        "import torch.nn as nn\n\n\ndef build():\n    return nn.Sequential(nn.Linear(4, 1), nn.Sigmoid())\n"
    )
    (tmp_path / "train.py").write_text(
        "import torch.nn as nn\nfrom models import build\n\nmodel = build()\n"
        "loss = nn.BCEWithLogitsLoss()(model(x), y)\n"
    )
    findings = Linter(Config(select=["NN301", "NN002"])).lint_paths([str(tmp_path)])
    assert [(Path(f.path).name, f.line, f.column) for f in findings] == [("train.py", 5, 8)]
    assert "receives the model's output after a sigmoid (models.py:5);" in findings[0].message
    assert findings[0].evidence == {"activation": "sigmoid", "activation_at": "models.py:5"}
