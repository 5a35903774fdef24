"""Evaluation recognised by what the code does, not by names or no_grad alone."""

from __future__ import annotations

from tests.conftest import lint_text

MODEL = """
import torch
import torch.nn as nn

model = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Dropout(0.2), nn.Linear(8, 2))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
train_loader = torch.utils.data.DataLoader(train_set, batch_size=8, shuffle=True)
valid_loader = torch.utils.data.DataLoader(valid_set, batch_size=8)
"""


def where(findings, code):
    return [(f.line, f.column) for f in findings if f.code == code]


def test_a_forward_only_loop_over_a_loader_computing_a_loss_is_evaluation() -> None:
    findings = lint_text(
        MODEL
        + """
for epoch in range(3):
    for data, target in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(data), target)
        loss.backward()
        optimizer.step()
    valid_loss = 0.0
    for data, target in valid_loader:
        output = model(data)
        valid_loss += criterion(output, target).item()
""",
        select=["NN501"],
    )
    assert where(findings, "NN501") == [(19, 18)]


def test_a_forward_only_loop_computing_no_loss_or_metric_is_not_evaluation() -> None:
    findings = lint_text(
        MODEL
        + """
for data, target in train_loader:
    optimizer.zero_grad()
    criterion(model(data), target).backward()
    optimizer.step()
features = []
for data, target in valid_loader:
    features.append(model(data))
""",
        select=["NN501"],
    )
    assert findings == []


def test_a_sample_under_no_grad_in_the_middle_of_gan_training_is_not_evaluation() -> None:
    findings = lint_text(
        """
import torch
import torch.nn as nn

generator = nn.Sequential(nn.Linear(8, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 4))
discriminator = nn.Sequential(nn.Linear(4, 1))
opt_g = torch.optim.Adam(generator.parameters())
opt_d = torch.optim.Adam(discriminator.parameters())
for i, real in enumerate(loader):
    opt_d.zero_grad()
    d_loss = discriminator(real).mean() - discriminator(generator(noise()).detach()).mean()
    d_loss.backward()
    opt_d.step()
    opt_g.zero_grad()
    (-discriminator(generator(noise())).mean()).backward()
    opt_g.step()
    if i % 500 == 0:
        with torch.no_grad():
            fake = generator(fixed_noise)
        save_image(fake)
""",
        select=["NN501"],
    )
    assert findings == []


def test_no_grad_validation_at_the_epoch_level_is_still_evaluation() -> None:
    findings = lint_text(
        MODEL
        + """
for epoch in range(3):
    for data, target in train_loader:
        optimizer.zero_grad()
        criterion(model(data), target).backward()
        optimizer.step()
    with torch.no_grad():
        print(model(x_val).argmax(1).eq(y_val).float().mean())
""",
        select=["NN501"],
    )
    assert where(findings, "NN501") == [(17, 15)]


def test_a_scored_no_grad_forward_inside_a_full_batch_training_iteration_is_evaluation() -> None:
    findings = lint_text(
        MODEL
        + """
for epoch in range(100):
    loss = criterion(model(X_train), y_train)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    with torch.no_grad():
        y_pred = model(X_test)
        accuracy = (torch.argmax(y_pred, dim=1) == y_test).float().mean()
""",
        select=["NN501"],
    )
    assert where(findings, "NN501") == [(17, 18)]


def test_functions_called_only_from_another_module_still_carry_the_modes_they_set() -> None:
    findings = lint_text(
        """
import torch

def train(net, optimizer, criterion, loader, val_loader, epochs):
    for epoch in range(epochs):
        net.train()
        for data, target in loader:
            optimizer.zero_grad()
            criterion(net(data), target).backward()
            optimizer.step()
        print(val(net, val_loader))

def val(net, loader):
    correct = 0
    for data, target in loader:
        with torch.no_grad():
            correct += (net(data).argmax(1) == target).sum().item()
    return correct
""",
        select=["NN501"],
    )
    assert where(findings, "NN501") == [(17, 25)]


def test_an_uncalled_validation_function_without_known_mode_is_silent() -> None:
    findings = lint_text(
        """
import torch

def val(net, loader):
    with torch.no_grad():
        return [net(data).argmax(1) for data, _ in loader]
""",
        select=["NN501"],
    )
    assert findings == []
