"""ignite engines: the loop the framework runs around the user's process function (issue 10, item 8).

``Engine(update)`` whose update backpropagates and steps is a training loop over what ``trainer.run``
is given (NN101), its update one iteration (NN402, NN404); ``Engine(evaluate_step)`` that trains
nothing, run from a handler, evaluates the model in the mode it has there (NN501).
"""

from __future__ import annotations

import textwrap

from tests.conftest import lint_text

SCRIPT = """
    import torch
    import torch.nn as nn
    from torch.utils.data import DataLoader
    from ignite.engine import Engine, Events

    model = nn.Sequential(nn.Linear(8, 16), nn.Dropout(0.5), nn.Linear(16, 2))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=100)
    criterion = nn.CrossEntropyLoss()
    train_loader = DataLoader(train_set, batch_size=32{shuffle})
    val_loader = DataLoader(val_set, batch_size=32)


    def update(engine, batch):
        model.train()
        x, y = batch
        {clear}
        loss = criterion(model(x), y)
        loss.backward()
        {steps}
        return loss.item()


    def evaluate(engine, batch):
        {eval_mode}
        x, y = batch
        with torch.no_grad():
            return model(x), y


    trainer = Engine(update)
    evaluator = Engine(evaluate)


    @trainer.on(Events.EPOCH_COMPLETED)
    def validate(engine):
        evaluator.run(val_loader)


    trainer.run(train_loader, max_epochs={epochs})
"""

BUGGY = dict(shuffle="", clear="pass", steps="scheduler.step(); optimizer.step()", eval_mode="pass", epochs="10")
FIXED = dict(
    shuffle=", shuffle=True",
    clear="optimizer.zero_grad()",
    steps="optimizer.step(); scheduler.step()",
    eval_mode="model.eval()",
    epochs="10",
)


def _findings(values, codes=("NN101", "NN402", "NN404", "NN501")):
    return [(f.code, f.line, f.column, f.message) for f in lint_text(SCRIPT.format(**values), list(codes))]


def test_the_engine_loop_is_seen_by_the_training_rules() -> None:
    found = _findings(BUGGY)
    assert [f[:3] for f in found] == [("NN101", 11, 16), ("NN404", 21, 5), ("NN402", 21, 23), ("NN501", 29, 16)]
    messages = [f[3] for f in found]
    assert "feeds the training engine run at line 41" in messages[0]
    assert "iteration of the engine's loop (its update function update) at line 15" in messages[1]
    assert "never cleared in the engine update function update at line 15" in messages[2]
    assert messages[3].startswith("the model runs in training mode during evaluation")


def test_the_fixed_engine_script_is_silent() -> None:
    assert _findings(FIXED) == []


def test_one_epoch_over_an_unknown_data_set_is_not_enough_for_nn101() -> None:
    assert _findings({**BUGGY, "epochs": "1"}, ["NN101"]) == []


def test_a_clearing_in_an_iteration_handler_counts() -> None:
    source = textwrap.dedent(SCRIPT.format(**BUGGY))
    assert [f.line for f in lint_text(source, ["NN402"])] == [21]
    handler = "\n@trainer.on(Events.ITERATION_STARTED)\ndef clear(engine):\n    optimizer.zero_grad()\n"
    assert lint_text(source + handler, ["NN402"]) == []


def test_an_engine_that_updates_in_a_handler_is_not_an_evaluator() -> None:
    # reinforcement learning: the process function acts, an EPOCH_COMPLETED handler updates the policy
    source = textwrap.dedent(SCRIPT.format(**BUGGY))
    acting = (
        source.replace("    with torch.no_grad():\n        return model(x), y", "    return model(x).argmax(1)")
        .replace("def evaluate(", "def act(")
        .replace("Engine(evaluate)", "Engine(act)")
    )
    assert [(f.code, f.line) for f in lint_text(acting, ["NN501"])] == [("NN501", 28)]  # an evaluator
    learning = acting + (
        "\n\n@evaluator.on(Events.EPOCH_COMPLETED)\ndef learn(engine):\n    optimizer.zero_grad()\n"
        "    criterion(model(x), y).backward()\n    optimizer.step()\n"
    )
    assert lint_text(learning, ["NN501"]) == []


def test_a_supervised_trainer_sets_training_mode_before_a_custom_evaluator() -> None:
    source = (
        SCRIPT.format(**BUGGY)
        .replace("trainer = Engine(update)", "trainer = create_supervised_trainer(model, optimizer, criterion)")
        .replace("import Engine, Events", "import Engine, Events, create_supervised_trainer")
    )
    found = [(f.code, f.line, f.column) for f in lint_text(source, ["NN101", "NN501"])]
    assert found == [("NN101", 11, 16), ("NN501", 29, 16)]


def test_an_evaluator_that_leaves_eval_mode_before_an_update_without_train_is_nn502() -> None:
    source = textwrap.dedent(SCRIPT.format(**{**FIXED, "eval_mode": "model.eval()"})).replace(
        "    model.train()\n    x, y = batch\n", "    x, y = batch\n", 1
    )
    found = [(f.code, f.line, f.column, f.message) for f in lint_text(source, ["NN501", "NN502"])]
    assert [f[:3] for f in found] == [("NN502", 25, 5)]
    assert "training step at line 18" in found[0][3]
    with_train = textwrap.dedent(SCRIPT.format(**{**FIXED, "eval_mode": "model.eval()"}))
    assert lint_text(with_train, ["NN501", "NN502"]) == []


def test_a_supervised_evaluator_sets_eval_mode_at_its_run() -> None:
    source = (
        textwrap.dedent(SCRIPT.format(**FIXED))
        .replace("    model.train()\n    x, y = batch\n", "    x, y = batch\n", 1)
        .replace("evaluator = Engine(evaluate)", "evaluator = create_supervised_evaluator(model)")
        .replace("import Engine, Events", "import Engine, Events, create_supervised_evaluator")
    )
    found = [(f.code, f.line, f.column) for f in lint_text(source, ["NN501", "NN502"])]
    assert found == [("NN502", 37, 5)]  # at `evaluator.run(val_loader)` in the EPOCH_COMPLETED handler
