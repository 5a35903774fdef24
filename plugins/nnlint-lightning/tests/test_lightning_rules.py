"""The Lightning rules on snippets: what they must flag, and the look-alikes they must leave alone."""

from __future__ import annotations

import pytest

from nnlint.testing import assert_clean, assert_flags, check_documented_examples
from nnlint_lightning.rules import (
    ALL_RULES,
    DirectBackward,
    OptimizerMissesParameters,
    SeedWithoutDeterministic,
    StepKeepsGraph,
)


@pytest.mark.parametrize("rule", ALL_RULES, ids=[rule.code for rule in ALL_RULES])
def test_documented_examples(rule: type) -> None:
    check_documented_examples(rule)


# ------------------------------------------------------------------------------------- NNL101
_STEP = """
import torch
import torch.nn as nn
import pytorch_lightning as pl

class Model(pl.LightningModule):
    def __init__(self):
        super().__init__()
        {init}
        self.net = nn.Linear(4, 1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = nn.functional.mse_loss(self.net(x), y)
        {body}

    def _backward(self, loss):
        loss.backward()

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)
"""


def test_backward_in_automatic_optimization() -> None:
    findings = assert_flags(
        DirectBackward, _STEP.format(init="", body="loss.backward()\n        return loss"), count=1, line=14
    )
    assert "return the loss" in findings[0].message and findings[0].evidence == {"manual_optimization": False}


def test_backward_through_a_helper_under_manual_optimization() -> None:
    assert_flags(
        DirectBackward,
        _STEP.format(init="self.automatic_optimization = False", body="self._backward(loss)"),
        count=1,
        line=17,
        message="self.manual_backward(loss)",
    )


@pytest.mark.parametrize(
    "init,body",
    [
        ("", "return loss"),
        ("self.automatic_optimization = False", "self.manual_backward(loss)"),
        ("self.automatic_optimization = False", "torch.autograd.grad(loss, self.net.weight)"),
    ],
)
def test_lightning_backward_paths_are_clean(init: str, body: str) -> None:
    assert_clean(DirectBackward, _STEP.format(init=init, body=body))


def test_manual_optimization_declared_by_a_property() -> None:
    findings = assert_flags(
        DirectBackward,
        """
        import torch
        import pytorch_lightning as pl

        class Model(pl.LightningModule):
            @property
            def automatic_optimization(self):
                return False

            def training_step(self, batch, batch_idx):
                loss = self.net(batch).sum()
                loss.backward()
        """,
        count=1,
    )
    assert findings[0].evidence == {"manual_optimization": True}


def test_backward_outside_lightning_modules_is_clean() -> None:
    assert_clean(
        DirectBackward,
        """
        import torch.nn as nn

        class Plain(nn.Module):
            def training_step(self, x):
                loss = self.forward(x).sum()
                loss.backward()
        """,
    )


# ------------------------------------------------------------------------------------- NNL102
_VALIDATION_WITH_GRAD = """
import torch
import torch.nn as nn
import lightning as L

class Saliency(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.net = nn.Linear(4, 2)
        self.saliency_maps = []

    def validation_step(self, batch, batch_idx):
        x, y = batch
        with torch.enable_grad():
            x.requires_grad_(True)
            score = self.net(x).sum()
            {store}
"""


def test_validation_step_keeping_enable_grad_result() -> None:
    assert_flags(
        StepKeepsGraph, _VALIDATION_WITH_GRAD.format(store="self.saliency_maps.append(score)"), count=1, line=16
    )


def test_validation_step_logging_with_enable_graph() -> None:
    assert_flags(
        StepKeepsGraph, _VALIDATION_WITH_GRAD.format(store='self.log("score", score, enable_graph=True)'), count=1
    )


@pytest.mark.parametrize(
    "store",
    [
        'self.log("score", score)',  # self.log detaches by itself
        "self.saliency_maps.append(score.detach())",
        "self.saliency_maps.append(score.item())",
        "self.saliency_maps.append(score.argmax())",
    ],
)
def test_validation_step_detached_values_are_clean(store: str) -> None:
    assert_clean(StepKeepsGraph, _VALIDATION_WITH_GRAD.format(store=store))


def test_validation_step_without_grad_is_clean() -> None:
    assert_clean(
        StepKeepsGraph,
        """
        import torch.nn as nn
        import torch.nn.functional as F
        import pytorch_lightning as pl

        class Model(pl.LightningModule):
            def __init__(self):
                super().__init__()
                self.net = nn.Linear(4, 2)
                self.outputs = []

            def validation_step(self, batch, batch_idx):
                x, y = batch
                loss = F.cross_entropy(self.net(x), y)
                self.outputs.append(loss)
                self.log("val_loss", loss)
        """,
    )


def test_training_step_running_total_and_forward_output() -> None:
    findings = assert_flags(
        StepKeepsGraph,
        """
        import torch.nn as nn
        import pytorch_lightning as pl

        class Model(pl.LightningModule):
            def __init__(self):
                super().__init__()
                self.net = nn.Linear(4, 1)
                self.criterion = nn.MSELoss()
                self.epoch_loss = 0.0
                self.predictions = []

            def forward(self, x):
                return self.net(x)

            def training_step(self, batch, batch_idx):
                x, y = batch
                prediction = self(x)
                loss = self.criterion(prediction, y)
                self.epoch_loss += loss
                self.predictions.extend([prediction.squeeze(1), y])
                return loss
        """,
        count=2,
    )
    assert {f.line for f in findings} == {19, 20}


def test_training_step_keeping_a_dict_of_outputs() -> None:
    assert_flags(
        StepKeepsGraph,
        """
        import torch.nn as nn
        import lightning.pytorch as pl

        class Model(pl.LightningModule):
            def __init__(self):
                super().__init__()
                self.net = nn.Linear(4, 3)
                self.outputs = []

            def training_step(self, batch, batch_idx):
                x, y = batch
                logits = self.net(x)
                loss = nn.functional.cross_entropy(logits, y)
                self.outputs.append({"loss": loss, "preds": logits.argmax(dim=1)})
                return loss
        """,
        count=1,
        line=14,
    )


def test_training_step_logging_and_helpers_are_clean() -> None:
    assert_clean(
        StepKeepsGraph,
        """
        import torch
        import torch.nn as nn
        import pytorch_lightning as pl

        class Model(pl.LightningModule):
            def __init__(self):
                super().__init__()
                self.net = nn.Linear(4, 1)
                self.seen = []
                self.total = 0

            def training_step(self, batch, batch_idx):
                x, y = batch
                loss = nn.functional.mse_loss(self.net(x), y)
                self.log("train_loss", loss)
                self.seen.append(x)
                self.total += x.shape[0]
                with torch.no_grad():
                    self.seen.append(self.net(x))
                self.seen.append(self.summarise(loss))
                return loss
        """,
    )


# ------------------------------------------------------------------------------------- NNL103
_MODULE = """
import itertools
import torch
import torch.nn as nn
import pytorch_lightning as pl

class Model(pl.LightningModule):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(8, 16), nn.ReLU())
        self.head = nn.Linear(16, 2)
        self.dropout = nn.Dropout(0.1)
        self.loss_fn = nn.CrossEntropyLoss()
        {init}

    def training_step(self, batch, batch_idx):
        x, y = batch
        return self.loss_fn(self.head(self.dropout(self.backbone(x))), y)

    def configure_optimizers(self):
        {configure}
"""


def test_optimizer_over_the_backbone_only() -> None:
    findings = assert_flags(
        OptimizerMissesParameters,
        _MODULE.format(init="", configure="return torch.optim.SGD(self.backbone.parameters(), lr=0.1)"),
        count=1,
        message="self.head",
    )
    assert findings[0].evidence == {"optimized": ["backbone"], "missing": ["head"]}


def test_optimizer_params_through_a_local_variable() -> None:
    assert_flags(
        OptimizerMissesParameters,
        _MODULE.format(
            init="", configure="params = list(self.head.parameters())\n        return torch.optim.Adam(params)"
        ),
        message="self.backbone",
    )


@pytest.mark.parametrize(
    "init,configure",
    [
        ("", "return torch.optim.Adam(self.parameters(), lr=1e-3)"),
        ("", "return torch.optim.Adam(filter(lambda p: p.requires_grad, self.parameters()))"),
        ("", "return torch.optim.Adam(itertools.chain(self.backbone.parameters(), self.head.parameters()))"),
        (
            "",
            'return torch.optim.Adam([{"params": self.backbone.parameters(), "lr": 1e-4}, {"params": '
            "self.head.parameters()}])",
        ),
        ("self.backbone.requires_grad_(False)", "return torch.optim.Adam(self.head.parameters())"),
        ("", "return torch.optim.Adam(self.trainable_parameters())"),
        ("", "return build_optimizer(self.head.parameters())"),
    ],
)
def test_complete_or_unreadable_optimizers_are_clean(init: str, configure: str) -> None:
    assert_clean(OptimizerMissesParameters, _MODULE.format(init=init, configure=configure))


def test_ema_copy_used_in_validation_and_detached_teacher_are_clean() -> None:
    assert_clean(
        OptimizerMissesParameters,
        """
        import torch
        import torch.nn as nn
        import pytorch_lightning as pl

        class Model(pl.LightningModule):
            def __init__(self):
                super().__init__()
                self.student = nn.Linear(8, 2)
                self.teacher = nn.Linear(8, 2)
                self.ema = nn.Linear(8, 2)

            def training_step(self, batch, batch_idx):
                x, y = batch
                target = self.teacher(x).detach()
                return nn.functional.mse_loss(self.student(x), target)

            def validation_step(self, batch, batch_idx):
                x, y = batch
                self.log("val", nn.functional.mse_loss(self.ema(x), y))

            def configure_optimizers(self):
                return torch.optim.Adam(self.student.parameters())
        """,
    )


def test_feature_extractor_that_freezes_itself_is_clean() -> None:
    assert_clean(
        OptimizerMissesParameters,
        """
        import torch
        import torch.nn as nn
        import pytorch_lightning as pl

        class FeatureExtractor(nn.Module):
            def __init__(self):
                super().__init__()
                self.layers = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU())
                for p in self.parameters():
                    p.requires_grad = False

            def forward(self, x):
                return self.layers(x)

        class SuperResolution(pl.LightningModule):
            def __init__(self):
                super().__init__()
                self.generator = nn.Conv2d(3, 3, 3, padding=1)
                self.features = FeatureExtractor()

            def training_step(self, batch, batch_idx):
                low, high = batch
                fake = self.generator(low)
                return nn.functional.mse_loss(self.features(fake), self.features(high))

            def configure_optimizers(self):
                return torch.optim.Adam(self.generator.parameters())
        """,
    )


def test_module_used_through_a_helper_method_is_missing() -> None:
    assert_flags(
        OptimizerMissesParameters,
        """
        import torch
        import torch.nn as nn
        import pytorch_lightning as pl

        class Model(pl.LightningModule):
            def __init__(self):
                super().__init__()
                self.encoder = nn.Linear(8, 8)
                self.decoder = nn.Linear(8, 8)

            def reconstruct(self, x):
                return self.decoder(self.encoder(x))

            def training_step(self, batch, batch_idx):
                return nn.functional.mse_loss(self.reconstruct(batch), batch)

            def configure_optimizers(self):
                return torch.optim.Adam(self.encoder.parameters())
        """,
        message="self.decoder",
    )


def test_frozen_by_loop_and_teacher_under_no_grad_are_clean() -> None:
    assert_clean(
        OptimizerMissesParameters,
        """
        import torch
        import torch.nn as nn
        import pytorch_lightning as pl

        class Distill(pl.LightningModule):
            def __init__(self):
                super().__init__()
                self.student = nn.Linear(8, 2)
                self.teacher = nn.Linear(8, 2)
                self.embed = nn.Embedding(10, 8)
                for p in self.embed.parameters():
                    p.requires_grad = False

            def training_step(self, batch, batch_idx):
                x, y = batch
                h = self.embed(x).mean(1)
                with torch.no_grad():
                    target = self.teacher(h)
                return nn.functional.mse_loss(self.student(h), target)

            def configure_optimizers(self):
                return torch.optim.Adam(self.student.parameters())
        """,
    )


# ------------------------------------------------------------------------------------- NNL104
def test_torch_seed_and_trainer_in_main() -> None:
    assert_flags(
        SeedWithoutDeterministic,
        """
        from lightning.pytorch import Trainer, seed_everything

        def main():
            seed_everything(0)
            trainer = Trainer(max_epochs=1, accelerator="gpu")
            trainer.fit(model)
        """,
        count=1,
        line=5,
        message="line 4",
    )


@pytest.mark.parametrize(
    "code",
    [
        # no seed: no promise of reproducibility
        "import pytorch_lightning as pl\ntrainer = pl.Trainer(max_epochs=1)\n",
        "import pytorch_lightning as pl\npl.seed_everything(1)\ntrainer = pl.Trainer(deterministic=False)\n",
        "import pytorch_lightning as pl\npl.seed_everything(1)\ntrainer = pl.Trainer(**trainer_kwargs)\n",
        "import pytorch_lightning as pl\npl.seed_everything(1)\ntrainer = pl.Trainer(accelerator='cpu')\n",
        # seeds data only
        "import torch, pytorch_lightning as pl\ntorch.manual_seed(0)\ntrainer = pl.Trainer(max_epochs=1)\n",
    ],
)
def test_seed_rule_clean_cases(code: str) -> None:
    assert_clean(SeedWithoutDeterministic, code)


def test_options_and_codes_are_plugin_codes() -> None:
    for rule in ALL_RULES:
        assert rule.code.startswith("NNL1") and rule.name.startswith("lightning-")
