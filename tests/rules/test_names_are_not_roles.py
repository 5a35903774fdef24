"""Names raise suspicion, never prove a role (issue 16): each case is checked both ways."""

from __future__ import annotations

import pytest

from tests.conftest import codes, lint_text

HEAD = """
import torch
import torch.nn as nn
import torch.nn.functional as F
model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 1))
optimizer = torch.optim.Adam(model.parameters())
loader = [(torch.zeros(3, 4), torch.zeros(3, 1))]
"""

TRAIN = """
for x, y in loader:
    optimizer.zero_grad()
    loss = F.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
"""


def test_nn501_a_value_helper_whose_output_is_backpropagated_is_training() -> None:
    source = (
        HEAD
        + """
def value_estimate(x):
    return F.mse_loss(model(x), torch.zeros(3, 1))

for x, y in loader:
    optimizer.zero_grad()
    loss = value_estimate(x)
    loss.backward()
    optimizer.step()
"""
    )
    assert lint_text(source, select=["NN501"]) == []


def test_nn501_a_predict_helper_feeding_the_training_loss_is_training() -> None:
    source = (
        HEAD
        + """
def predict(x):
    return model(x)

for x, y in loader:
    optimizer.zero_grad()
    out = predict(x)
    loss = F.mse_loss(out, y)
    loss.backward()
    optimizer.step()
"""
    )
    assert lint_text(source, select=["NN501"]) == []


def test_nn501_a_score_helper_only_reported_is_an_evaluation() -> None:
    source = (
        HEAD
        + """
def score(x, y):
    return F.mse_loss(model(x), y).item()
"""
        + TRAIN
        + "print(score(x, y))\n"
    )
    (finding,) = lint_text(source, select=["NN501"])
    assert (finding.line, finding.column) == (10, 23)
    assert "the model runs in training mode during evaluation" in finding.message


def test_nn501_a_test_smoke_check_printing_a_shape_is_not_an_evaluation() -> None:
    source = (
        HEAD
        + """
def test():
    print(model(torch.zeros(2, 4)).shape)

test()
"""
        + TRAIN
    )
    assert lint_text(source, select=["NN501"]) == []


def test_nn501_a_test_function_computing_a_loss_is_an_evaluation() -> None:
    source = (
        HEAD
        + """
def test():
    out = model(torch.zeros(3, 4))
    print(F.mse_loss(out, torch.zeros(3, 1)).item())
"""
        + TRAIN
        + "test()\n"
    )
    (finding,) = lint_text(source, select=["NN501"])
    assert (finding.line, finding.column) == (10, 11)


UNTYPED_STEP = """
import torch.nn.functional as F

def fit(model, {name}, loader):
    for x, y in loader:
        loss = F.mse_loss(model(x), y)
        loss.backward()
        {name}.step()
"""


@pytest.mark.parametrize("name", ["opt", "optimizer", "g_opt", "optG", "optimizer2", "d_optim"])
def test_an_untyped_step_named_as_an_optimizer_is_one(name: str) -> None:
    (finding,) = lint_text(UNTYPED_STEP.format(name=name), select=["NN402"])
    assert (finding.line, finding.column) == (8, 9)
    assert "gradients are never cleared" in finding.message


@pytest.mark.parametrize("name", ["adopt", "options", "option_set", "copt_table"])
def test_letters_o_p_t_in_a_name_do_not_make_an_optimizer(name: str) -> None:
    assert lint_text(UNTYPED_STEP.format(name=name), select=["NN402"]) == []


UNTYPED_SCHEDULER = """
import torch.nn.functional as F

def fit(model, optimizer, {name}, loader):
    for epoch in range(3):
        {name}.step()
        for x, y in loader:
            optimizer.zero_grad()
            loss = F.mse_loss(model(x), y)
            loss.backward()
            optimizer.step()
"""


@pytest.mark.parametrize("name", ["scheduler", "lr_sched", "sched", "warmupScheduler"])
def test_an_untyped_step_named_as_a_scheduler_is_one(name: str) -> None:
    (finding,) = lint_text(UNTYPED_SCHEDULER.format(name=name), select=["NN404"])
    assert (finding.line, finding.column) == (6, 9)


@pytest.mark.parametrize("name", ["rescheduled", "schedx_table"])
def test_letters_s_c_h_e_d_in_a_name_do_not_make_a_scheduler(name: str) -> None:
    assert lint_text(UNTYPED_SCHEDULER.format(name=name), select=["NN404"]) == []


@pytest.mark.parametrize("name", ["values", "intervals", "latest", "X"])
def test_nn103_does_not_judge_the_data_by_its_name(name: str) -> None:
    source = f"""
import torch
{name} = torch.randn(100, 4)
{name} = ({name} - {name}.mean(0)) / {name}.std(0)
train, test = {name}[:80], {name}[80:]
"""
    assert codes(lint_text(source, select=["NN103"])) == ["NN103"]
