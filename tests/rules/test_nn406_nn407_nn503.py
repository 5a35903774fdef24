"""NN406, NN407 and NN503 on shapes beyond the docstring examples."""

from __future__ import annotations

import textwrap

from nnlint.config import Config
from nnlint.engine import Linter
from tests.conftest import codes, lint_text

HEADER = """
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

loader = DataLoader(TensorDataset(torch.randn(32, 8), torch.randint(0, 3, (32,))), batch_size=4, shuffle=True)
criterion = nn.CrossEntropyLoss()
"""


def lint(body: str, code: str) -> list:
    return codes(lint_text(HEADER + body, select=[code]))


# ----------------------------------------------------------------------------------- NN406
def test_nn406_param_group_rate_and_positional_rate() -> None:
    body = """
from torch.optim import Adam as A
model = nn.Sequential(nn.Linear(8, 3))
a = torch.optim.SGD([{"params": model.parameters(), "lr": 5.0}], lr=0.01)
b = A(model.parameters(), 0.3)
"""
    assert lint(body, "NN406") == ["NN406", "NN406"]


def test_nn406_silent_for_defaults_zero_and_configured_rates() -> None:
    body = """
import argparse
parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, default=50.0)
args = parser.parse_args()
model = nn.Sequential(nn.Linear(8, 3))
a = torch.optim.Adadelta(model.parameters(), lr=1.0)
b = torch.optim.LBFGS(model.parameters(), lr=1)
c = torch.optim.SGD([{"params": model[0].weight, "lr": 0.0}], lr=0.05)
d = torch.optim.SGD(model.parameters(), lr=args.lr)
e = torch.optim.Adam(model.parameters())
"""
    assert lint(body, "NN406") == []


def test_nn406_bounds_come_from_options() -> None:
    source = textwrap.dedent(
        HEADER
        + """
model = nn.Sequential(nn.Linear(8, 3))
optimizer = torch.optim.SGD(model.parameters(), lr=2.0)
slow = torch.optim.Adam(model.parameters(), lr=5e-7)
"""
    )
    config = Config(select=["NN406"], options={"NN406": {"max_lr": {"SGD": 4.0}, "min_lr": 1e-6}})
    found = Linter(config).lint_source(source, "<snippet>")
    assert [f.line for f in found] == [
        source.splitlines().index("slow = torch.optim.Adam(model.parameters(), lr=5e-7)") + 1
    ]


# ----------------------------------------------------------------------------------- NN407
def test_nn407_every_parameter_frozen_before_the_optimizer() -> None:
    body = """
model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))
for param in model.parameters():
    param.requires_grad = False
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
"""
    assert lint(body, "NN407") == ["NN407"]


def test_nn407_silent_when_a_new_head_follows_the_freeze() -> None:
    body = """
model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 10))
for param in model.parameters():
    param.requires_grad = False
model[2] = nn.Linear(16, 3)
optimizer = torch.optim.SGD(filter(lambda p: p.requires_grad, model.parameters()), lr=0.1)
"""
    assert lint(body, "NN407") == []


def test_nn407_silent_when_rebuilt_or_extended_after_replacement() -> None:
    body = """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(8, 16)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        return self.fc(torch.relu(self.body(x)))

model = Net()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
model.fc = nn.Linear(16, 3)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

other = Net()
opt2 = torch.optim.SGD(other.parameters(), lr=0.1)
other.fc = nn.Linear(16, 3)
opt2.add_param_group({"params": other.fc.parameters()})

third = Net()
opt3 = torch.optim.SGD(third.parameters(), lr=0.1)
third.fc = nn.Identity()
"""
    assert lint(body, "NN407") == []


def test_nn407_subset_silent_when_frozen_or_covered_by_another_optimizer() -> None:
    body = """
class AutoEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Linear(8, 2)
        self.decoder = nn.Linear(2, 8)

    def forward(self, x):
        return self.decoder(self.encoder(x))

model = AutoEncoder()
enc_opt = torch.optim.Adam(model.encoder.parameters(), lr=1e-3)
dec_opt = torch.optim.Adam(model.decoder.parameters(), lr=1e-3)
"""
    assert lint(body, "NN407") == []
    frozen = body.replace(
        "model = AutoEncoder()\n", "model = AutoEncoder()\nmodel.encoder.requires_grad_(False)\n"
    ).replace("enc_opt = torch.optim.Adam(model.encoder.parameters(), lr=1e-3)\n", "")
    assert lint(frozen, "NN407") == []


def test_nn407_subset_reports_the_untrained_submodule() -> None:
    body = """
class AutoEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Linear(8, 2)
        self.decoder = nn.Linear(2, 8)

    def forward(self, x):
        return self.decoder(self.encoder(x))

model = AutoEncoder()
optimizer = torch.optim.Adam(model.decoder.parameters(), lr=1e-3)
"""
    found = lint_text(HEADER + body, select=["NN407"])
    assert codes(found) == ["NN407"] and "encoder" in found[0].message


# ----------------------------------------------------------------------------------- NN503
def test_nn503_trainer_validate_method() -> None:
    body = """
class Trainer:
    def __init__(self, model):
        self.model = model

    def validate(self):
        self.model.eval()
        correct = 0
        for x, y in loader:
            correct += (self.model(x).argmax(1) == y).sum().item()
        return correct

Trainer(nn.Sequential(nn.Linear(8, 3))).validate()
"""
    assert lint(body, "NN503") == ["NN503"]


def test_nn503_silent_under_no_grad_in_every_form() -> None:
    body = """
model = nn.Sequential(nn.Linear(8, 3))

def evaluate(model):
    model.eval()
    for x, y in loader:
        model(x)

with torch.no_grad():
    evaluate(model)

@torch.inference_mode()
def test(model):
    model.eval()
    for x, y in loader:
        model(x)

test(model)
model.eval()
with torch.inference_mode():
    for x, y in loader:
        model(x)
"""
    assert lint(body, "NN503") == []


def test_nn503_silent_when_the_eval_mode_loop_needs_gradients() -> None:
    body = """
model = nn.Sequential(nn.Linear(8, 3), nn.BatchNorm1d(3))
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
model.eval()
for x, y in loader:
    optimizer.zero_grad()
    criterion(model(x), y).backward()
    optimizer.step()
for x, y in loader:
    x.requires_grad_(True)
    model(x).sum().backward()
    saliency = x.grad
"""
    assert lint(body, "NN503") == []


def test_nn503_silent_in_lightning_validation_step() -> None:
    body = """
import pytorch_lightning as pl

class Lit(pl.LightningModule):
    def __init__(self):
        super().__init__()
        self.net = nn.Linear(8, 3)

    def forward(self, x):
        return self.net(x)

    def validation_step(self, batch, batch_idx):
        self.net.eval()
        for x, y in [batch]:
            self.log("val_loss", criterion(self.net(x), y))
"""
    assert lint(body, "NN503") == []


# ------------------------------------------------------------------------ look-alikes added later
def test_nn406_silent_for_base_rate_of_a_lambda_schedule() -> None:
    body = """
model = nn.Sequential(nn.Linear(8, 3))
optimizer = torch.optim.Adam(model.parameters(), lr=1.0, betas=(0.9, 0.98), eps=1e-9)
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lr_lambda=lambda step: 512 ** -0.5 * min((step + 1) ** -0.5, (step + 1) * 4000 ** -1.5)
)
"""
    assert lint(body, "NN406") == []


def test_nn407_silent_when_the_optimizer_variable_is_rebuilt_by_a_helper() -> None:
    body = """
def make_optimizer(model):
    return torch.optim.SGD(model.parameters(), lr=0.1)

model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 10))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
model[-1] = nn.Linear(16, 3)
optimizer = make_optimizer(model)
"""
    assert lint(body, "NN407") == []


def test_nn503_silent_when_gradients_are_globally_disabled() -> None:
    body = """
torch.set_grad_enabled(False)
model = nn.Sequential(nn.Linear(8, 3))
model.eval()
for x, y in loader:
    model(x)
"""
    assert lint(body, "NN503") == []


def test_nn407_silent_when_the_replacement_wraps_the_old_layer() -> None:
    body = """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(8, 16)
        self.fc = nn.Linear(16, 3)

    def forward(self, x):
        return self.fc(torch.relu(self.body(x)))

model = Net()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
model.fc = nn.Sequential(nn.Dropout(0.5), model.fc)
"""
    assert lint(body, "NN407") == []


def test_nn407_model_wide_requires_grad_false_before_the_optimizer() -> None:
    body = """
model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))
model.requires_grad_(False)
optimizer = torch.optim.Adam(list(model.parameters()), lr=1e-3)
"""
    assert lint(body, "NN407") == ["NN407"]
