"""Roles proven by usage: models and optimizers whose construction is out of sight."""

from __future__ import annotations

from tests.analysis.test_model import build, call_named
from tests.conftest import lint_text


def where(findings, code):
    return [(f.line, f.column) for f in findings if f.code == code]


def test_a_factory_model_switched_with_eval_is_a_model() -> None:
    model = build(
        """
        import importlib
        net = importlib.import_module(name).get_model()
        net.eval()
        out = net(x)
        """
    )
    call = call_named(model, "net(x)")
    obj = model.object_of(call.node.func, call.scope)
    assert (obj.kind, obj.by_usage) == ("model", True)
    assert model.has_mode_dependent_layers(obj) is True


def test_parameters_into_an_optimizer_make_a_model_but_not_mode_dependent() -> None:
    model = build(
        """
        import torch
        net = registry.build(cfg)
        opt = torch.optim.SGD(net.parameters(), lr=0.1)
        out = net(x)
        """
    )
    call = call_named(model, "net(x)")
    obj = model.object_of(call.node.func, call.scope)
    assert obj.kind == "model"
    assert model.has_mode_dependent_layers(obj) is None  # unknown: the code never switches its mode


def test_a_trainer_whose_train_takes_arguments_is_not_a_model() -> None:
    model = build(
        """
        trainer = make_trainer(cfg)
        trainer.train(dataset)
        trainer.evaluate()
        """
    )
    call = call_named(model, "trainer.train(")
    assert model.object_of(call.receiver, call.scope).kind == "unknown"


def test_step_and_zero_grad_make_an_optimizer() -> None:
    model = build(
        """
        optim = tx.core.BertAdam(params, lr=2e-5)
        for batch in data:
            optim.zero_grad()
            loss(batch).backward()
            optim.step()
        """
    )
    call = call_named(model, "optim.step(")
    assert model.object_of(call.receiver, call.scope).kind == "optimizer"


def test_uses_followed_into_a_parameter_and_a_self_attribute() -> None:
    model = build(
        """
        class Trainer:
            def __init__(self, model):
                self.model = model

            def fit(self):
                self.model.train()
                for x in self.loader:
                    self.model(x)

            def validate(self):
                self.model.eval()

        t = Trainer(build(cfg))
        """
    )
    call = call_named(model, "self.model(x)")
    obj = model.object_of(call.node.func, call.scope)
    assert obj.kind == "model" and obj.by_usage


def test_explicit_train_inside_an_evaluation_function_of_a_factory_model() -> None:
    findings = lint_text(
        """
        import importlib
        import torch

        def train_one_epoch(model, loader, optimizer):
            model.train()
            for x, y in loader:
                optimizer.zero_grad()
                model(x).sum().backward()
                optimizer.step()

        def eval_one_epoch(model, loader):
            model.train()
            scores = []
            for x, y in loader:
                scores.append(model(x).argmax(1))
            return scores

        net = importlib.import_module(arch).get_model()
        optimizer = torch.optim.Adam(net.parameters())
        for epoch in range(10):
            train_one_epoch(net, train_loader, optimizer)
            with torch.no_grad():
                eval_one_epoch(net, eval_loader)
        """,
        select=["NN501"],
    )
    assert where(findings, "NN501") == [(16, 23)]


def test_third_party_model_left_in_eval_by_a_validation_helper_in_the_batch_loop() -> None:
    findings = lint_text(
        """
        import torch
        import texar.torch as tx

        model = tx.modules.BERTClassifier(hparams=config)
        optim = tx.core.BertAdam(model.parameters(), lr=2e-5)

        @torch.no_grad()
        def evaluate():
            model.eval()
            for batch in eval_data:
                model(batch)

        model.train()
        for step, batch in enumerate(train_data):
            optim.zero_grad()
            model(batch).backward()
            optim.step()
            if step % 100 == 0:
                evaluate()
        """,
        select=["NN502"],
    )
    assert where(findings, "NN502") == [(10, 5)]


def test_eval_chosen_once_before_training_a_linear_probe_is_silent() -> None:
    findings = lint_text(
        """
        import torch
        import torchvision.models as models

        def train(loader, model, criterion, optimizer):
            # linear probe on a frozen backbone: BatchNorm statistics must not move
            model.eval()
            for images, target in loader:
                loss = criterion(model(images), target)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()

        model = models.__dict__[arch]()
        optimizer = torch.optim.SGD(model.fc.parameters(), lr=30.0)
        for epoch in range(100):
            train(train_loader, model, criterion, optimizer)
        """,
        select=["NN502"],
    )
    assert findings == []
