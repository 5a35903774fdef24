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


# --------------------------------------------- NN402 pinned by mutation testing (bench/mutation.py)
def _nn402(body: str) -> list:
    return lint_text(HEADER + body, select=["NN402"])


def test_nn402_message_evidence_and_the_first_step_of_the_loop() -> None:
    body = """
for x, y in loader:
    criterion(model(x), y).backward()
    optimizer.step()
    optimizer.step()
"""
    findings = _nn402(body)
    assert [(f.line, f.column) for f in findings] == [(14, 5)]
    assert findings[0].message == (
        "gradients are never cleared in the training loop at line 12: backward() accumulates into .grad, so each "
        "step applies the sum of all past gradients; call optimizer.zero_grad() every iteration"
    )
    assert findings[0].evidence == {"loop_line": 12}


def test_nn402_backward_without_step_or_step_without_backward_is_silent() -> None:
    assert _nn402("\nfor x, y in loader:\n    criterion(model(x), y).backward()\n") == []
    assert _nn402("\nfor x, y in loader:\n    optimizer.step()\n") == []


def test_nn402_each_unclearing_loop_is_reported() -> None:
    body = """
for x, y in loader:
    criterion(model(x), y).backward()
    optimizer.step()
for x, y in loader:
    criterion(model(x), y).backward()
    optimizer.step()
"""
    assert [(f.line, f.column) for f in _nn402(body)] == [(14, 5), (17, 5)]


GAN = """
gen, disc = nn.Linear(4, 4), nn.Linear(4, 1)
opt_g = torch.optim.Adam(gen.parameters())
opt_d = torch.optim.Adam(disc.parameters())
for x in loader:
    d_loss = disc(x).mean() - disc(gen(x).detach()).mean()
    d_loss.backward()
    opt_d.step()
    opt_g.zero_grad()
    g_loss = -disc(gen(x)).mean()
    g_loss.backward()
    opt_g.step()
"""


def test_nn402_an_optimizer_left_uncleared_beside_a_cleared_one() -> None:
    findings = _nn402(GAN)
    assert [(f.line, f.column) for f in findings] == [(18, 5)]
    assert findings[0].message == (
        "this optimizer's gradients are never cleared in the training loop at line 15: only the other optimizers "
        "call zero_grad(), so each step applies the sum of all its past gradients; clear it before its backward()"
    )
    assert findings[0].evidence == {"loop_line": 15}
    assert _nn402(GAN.replace("    opt_g.zero_grad()\n", "    opt_g.zero_grad()\n    opt_d.zero_grad()\n")) == []


def test_nn402_uncleared_optimizers_are_reported_at_the_innermost_loop_only() -> None:
    nested = "for epoch in range(3):\n" + "".join(f"    {line}\n" for line in GAN.strip().splitlines()[3:])
    body = GAN.split("for x in loader:")[0] + nested + "    opt_d.step()\n"
    findings = _nn402(body)
    assert [(f.line, f.column) for f in findings] == [(19, 9)]
    # an outer loop around an inner loop that clears nothing: the inner one is the report
    inner_plain = GAN.split("for x in loader:")[0] + (
        "for x in loader:\n    opt_g.zero_grad()\n    g_loss = -disc(gen(x)).mean()\n    g_loss.backward()\n"
        "    opt_g.step()\n"
        "    opt_d.step()\n    for y in loader:\n        disc(y).mean().backward()\n        opt_d.step()\n"
    )
    findings = _nn402(inner_plain)
    assert [(f.line, f.column, f.message[:26]) for f in findings] == [(23, 9, "gradients are never cleare")]


# --------------------------------------------- NN404 pinned by mutation testing (bench/mutation.py)
def _nn404(body: str) -> list:
    return lint_text(HEADER + body, select=["NN404"])


def test_nn404_message_and_evidence() -> None:
    body = """
for x, y in loader:
    scheduler.step()
    optimizer.zero_grad()
    criterion(model(x), y).backward()
    optimizer.step()
"""
    findings = _nn404(body)
    assert [(f.line, f.column) for f in findings] == [(13, 5)]
    assert findings[0].message == (
        "scheduler.step() runs before optimizer.step() (line 16) in the same iteration of the loop at line 12: "
        "the schedule's first value is skipped; step the scheduler after the optimizer"
    )
    assert findings[0].evidence == {"optimizer_step_line": 16, "loop_line": 12}


def test_nn404_reported_once_from_nested_loops_and_only_before_the_first_step() -> None:
    body = """
for epoch in range(3):
    for x, y in loader:
        scheduler.step()
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()
        scheduler.step()
"""
    assert [(f.line, f.column) for f in _nn404(body)] == [(14, 9)]


def test_nn404_a_scheduler_step_given_its_epoch_or_a_loop_without_optimizer_is_silent() -> None:
    given = """
for epoch in range(3):
    scheduler.step(epoch)
    for x, y in loader:
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()
"""
    assert _nn404(given) == []
    assert [(f.line, f.column) for f in _nn404(given.replace("step(epoch)", "step()"))] == [(13, 5)]
    assert _nn404("\nfor epoch in range(3):\n    scheduler.step()\n    print(epoch)\n") == []


IGNITE = """
from ignite.engine import Engine, Events

def update(engine, batch):
    optimizer.zero_grad()
    x, y = batch
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()

trainer = Engine(update)
"""


def test_nn404_an_ignite_epoch_started_handler() -> None:
    body = IGNITE + "\n@trainer.on(Events.EPOCH_STARTED)\ndef adjust(engine):\n    scheduler.step()\n"
    findings = _nn404(body)
    assert [(f.line, f.column) for f in findings] == [(26, 5)]
    assert findings[0].message == (
        "scheduler.step() runs in an Events.EPOCH_STARTED handler, before that epoch's optimizer steps: the schedule "
        "runs one epoch early and its first value is skipped; attach it to Events.EPOCH_COMPLETED"
    )
    assert findings[0].evidence == {"event": "EPOCH_STARTED"}


def test_nn404_an_ignite_handler_that_steps_no_scheduler_or_an_epoch_is_silent() -> None:
    for handler in (
        "    scheduler.step(engine.state.epoch)\n",
        "    optimizer.step()\n",
        "    step()\n",
        "    model.step()\n",
        "    scheduler.get_last_lr()\n",
    ):
        body = IGNITE + "\n@trainer.on(Events.EPOCH_STARTED)\ndef adjust(engine):\n" + handler
        assert _nn404(body) == [], handler
    two = (
        IGNITE
        + "\n@trainer.on(Events.EPOCH_STARTED)\ndef adjust(engine):\n    optimizer.step()\n    scheduler.step()\n"
    )
    assert [(f.line, f.column) for f in _nn404(two)] == [(27, 5)]


def test_nn402_a_loop_that_does_not_train_does_not_stop_the_search() -> None:
    body = """
for x, y in loader:
    print(x.shape)
for x, y in loader:
    criterion(model(x), y).backward()
    optimizer.step()
"""
    assert [(f.line, f.column) for f in _nn402(body)] == [(16, 5)]


def test_nn404_a_helper_stepped_from_two_loops_is_reported_once() -> None:
    body = """
def train_step(x, y):
    scheduler.step()
    optimizer.zero_grad()
    criterion(model(x), y).backward()
    optimizer.step()

for x, y in loader:
    train_step(x, y)
for x, y in loader:
    train_step(x, y)
"""
    assert [(f.line, f.column) for f in _nn404(body)] == [(13, 5)]


def test_nn404_skipped_loops_and_steps_do_not_stop_the_search() -> None:
    body = """
for epoch in range(3):
    print(epoch)
for x, y in loader:
    if x is None:
        scheduler.step()
    plateau.step(0.5)
    scheduler.step()
    optimizer.zero_grad()
    criterion(model(x), y).backward()
    optimizer.step()
"""
    body = "\nplateau = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer)" + body
    assert [(f.line, f.column) for f in _nn404(body)] == [(19, 5)]


def test_nn404_an_ignite_handler_registered_twice_is_reported_once() -> None:
    body = IGNITE + (
        "\ndef adjust(engine):\n    scheduler.step()\n\n"
        "trainer.add_event_handler(Events.EPOCH_STARTED, adjust)\n"
        "trainer.add_event_handler(Events.EPOCH_STARTED, adjust)\n"
    )
    assert [(f.line, f.column) for f in _nn404(body)] == [(25, 5)]
