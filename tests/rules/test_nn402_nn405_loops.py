"""NN402-NN405 on optimisation-loop shapes beyond the docstring examples."""
from __future__ import annotations

from tests.conftest import codes, lint_text

HEADER = """
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1)
loader = DataLoader(TensorDataset(torch.randn(32, 8), torch.randint(0, 3, (32,))), batch_size=4, shuffle=True)
"""


def lint(body: str, code: str) -> list:
    return codes(lint_text(HEADER + body, select=[code]))


# ----------------------------------------------------------------------------------- NN402
def test_nn402_zero_grad_only_before_the_loop() -> None:
    body = """
optimizer.zero_grad()
for x, y in loader:
    criterion(model(x), y).backward()
    optimizer.step()
"""
    assert lint(body, "NN402") == ["NN402"]


def test_nn402_reports_only_the_innermost_loop() -> None:
    body = """
for epoch in range(3):
    for x, y in loader:
        criterion(model(x), y).backward()
        optimizer.step()
"""
    assert lint(body, "NN402") == ["NN402"]


def test_nn402_silent_for_every_way_of_clearing() -> None:
    body = """
for i, (x, y) in enumerate(loader):
    (criterion(model(x), y) / 4).backward()
    if (i + 1) % 4 == 0:
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

for x, y in loader:
    criterion(model(x), y).backward()
    optimizer.step()
    model.zero_grad()

for x, y in loader:
    for p in model.parameters():
        p.grad = None
    criterion(model(x), y).backward()
    optimizer.step()

def clear(opt):
    opt.zero_grad()

for x, y in loader:
    clear(optimizer)
    criterion(model(x), y).backward()
    optimizer.step()
"""
    assert lint(body, "NN402") == []


def test_nn402_silent_for_lbfgs_closure() -> None:
    body = """
lbfgs = torch.optim.LBFGS(model.parameters())
x, y = torch.randn(4, 8), torch.tensor([0, 1, 2, 0])

def closure():
    lbfgs.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    return loss

for _ in range(3):
    lbfgs.step(closure)
"""
    assert lint(body, "NN402") == []


# ----------------------------------------------------------------------------------- NN403
def test_nn403_backward_only_in_a_file_that_never_steps() -> None:
    body = """
for x, y in loader:
    loss = criterion(model(x), y)
    loss.backward()
"""
    assert lint(body, "NN403") == ["NN403"]


def test_nn403_silent_for_accumulation_over_the_whole_epoch() -> None:
    body = """
for epoch in range(2):
    optimizer.zero_grad()
    for x, y in loader:
        criterion(model(x), y).backward()
    optimizer.step()
"""
    assert lint(body, "NN403") == []


def test_nn403_silent_for_a_saliency_loop_without_optimizer_evidence() -> None:
    body = """
for x, y in loader:
    optimizer.zero_grad()
    criterion(model(x), y).backward()
    optimizer.step()

model.eval()
maps = []
for x, y in loader:
    x.requires_grad_(True)
    model.zero_grad()
    model(x).gather(1, y.unsqueeze(1)).sum().backward()
    maps.append(x.grad.abs())
"""
    assert lint(body, "NN403") == []


def test_nn403_silent_for_amp_and_lightning() -> None:
    body = """
import pytorch_lightning as pl
scaler = torch.amp.GradScaler("cpu")
for x, y in loader:
    optimizer.zero_grad()
    scaler.scale(criterion(model(x), y)).backward()
    scaler.step(optimizer)
    scaler.update()

class Lit(pl.LightningModule):
    def training_step(self, batch, batch_idx):
        x, y = batch
        return criterion(self(x), y)
"""
    assert lint(body, "NN403") == []


def test_nn403_step_without_backward_in_a_helper_loop() -> None:
    body = """
def train_epoch():
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        optimizer.step()

train_epoch()
"""
    assert lint(body, "NN403") == ["NN403"]


# ----------------------------------------------------------------------------------- NN404
def test_nn404_scheduler_at_the_top_of_a_helper() -> None:
    body = """
def train_step(x, y):
    scheduler.step()
    optimizer.zero_grad()
    criterion(model(x), y).backward()
    optimizer.step()

for x, y in loader:
    train_step(x, y)
"""
    assert lint(body, "NN404") == ["NN404"]


def test_nn404_silent_for_guarded_and_after_orders() -> None:
    body = """
plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer)
for epoch in range(3):
    if epoch > 0:
        scheduler.step()
    for x, y in loader:
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()
    with torch.no_grad():
        val = sum(criterion(model(x), y).item() for x, y in loader)
    plateau.step(val)

for x, y in loader:
    optimizer.zero_grad()
    criterion(model(x), y).backward()
    optimizer.step()
    scheduler.step()
"""
    assert lint(body, "NN404") == []


# ----------------------------------------------------------------------------------- NN405
def test_nn405_appends_to_a_dict_of_lists() -> None:
    body = """
history = {"loss": []}
for x, y in loader:
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
    history["loss"].append(loss)
"""
    assert lint(body, "NN405") == ["NN405"]


def test_nn405_scaled_loss_accumulated() -> None:
    body = """
total = 0.0
for x, y in loader:
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
    total += loss * x.size(0)
"""
    assert lint(body, "NN405") == ["NN405"]


def test_nn405_silent_for_numbers_fresh_sums_and_backpropagated_sums() -> None:
    body = """
total, detached, worst = 0.0, 0.0, 0.0
for x, y in loader:
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss += 0.01 * sum(p.pow(2).sum() for p in model.parameters())
    loss.backward()
    optimizer.step()
    total += loss.item()
    detached += loss.detach()
    worst = max(worst, float(loss))

window = 0
for i, (x, y) in enumerate(loader):
    window += criterion(model(x), y)
    if (i + 1) % 4 == 0:
        optimizer.zero_grad()
        window.backward()
        optimizer.step()
        window = 0
"""
    assert lint(body, "NN405") == []


def test_nn405_silent_in_no_grad_evaluation() -> None:
    body = """
val_total = 0
model.eval()
with torch.no_grad():
    for x, y in loader:
        val_total += criterion(model(x), y)
"""
    assert lint(body, "NN405") == []


def test_nn402_silent_for_old_style_grad_data_zero_and_assigned_gradients() -> None:
    body = """
for x, y in loader:
    for p in model.parameters():
        if p.grad is not None:
            p.grad.data.zero_()
    criterion(model(x), y).backward()
    optimizer.step()

for x, y in loader:
    loss = criterion(model(x), y)
    grads = torch.autograd.grad(loss, list(model.parameters()))
    for p, g in zip(model.parameters(), grads):
        p.grad = g
    optimizer.step()
"""
    assert lint(body, "NN402") == []


def test_nn404_silent_for_explicit_epoch_steps() -> None:
    body = """
for epoch in range(3):
    scheduler.step(epoch)
    for x, y in loader:
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()
"""
    assert lint(body, "NN404") == []
