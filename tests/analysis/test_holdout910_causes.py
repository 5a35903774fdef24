"""Causes of the misses of holdout rounds 9 and 10 (``bench/realcode/holdout9-bugs.tsv``, ``holdout10-bugs.tsv``),
each as the construct real code used, with a twin that must stay silent."""

from __future__ import annotations

from typing import List, Tuple

from tests.conftest import lint_text


def _found(source: str, code: str) -> List[Tuple[int, int]]:
    return [(f.line, f.column) for f in lint_text(source, select=[code]) if f.code == code]


REGISTERED_BLOCKS = """import torch
import torch.nn as nn


class REBNCONV(nn.Module):
    def __init__(self, in_ch, out_ch):
        super().__init__()
        self.conv = nn.Conv2d(in_ch, out_ch, 3, padding=1)
        self.bn = nn.BatchNorm2d(out_ch)

    def forward(self, x):
        return torch.relu(self.bn(self.conv(x)))


class U2NET(nn.Module):
    def __init__(self, cfgs):
        super().__init__()
        self._make_layers(cfgs)

    def _make_layers(self, cfgs):
        for name, (in_ch, out_ch) in cfgs.items():
            self.add_module(name, REBNCONV(in_ch, out_ch))

    def forward(self, x):
        return getattr(self, "stage1")(x)


model = U2NET({"stage1": (3, 8)})
model.load_state_dict(torch.load("u2net.pth"))
model.train()
with torch.no_grad():
    mask = model(image)
"""


def test_modules_registered_with_add_module_are_the_models_layers() -> None:
    # BatchNorm inside a block registered by name: the no_grad inference runs in training mode
    assert _found(REGISTERED_BLOCKS, "NN501") == [(32, 12)]


def test_a_model_without_mode_dependent_registered_layers_is_silent() -> None:
    source = REGISTERED_BLOCKS.replace("nn.BatchNorm2d(out_ch)", "nn.Identity()")
    assert _found(source, "NN501") == []


CHILDREN_OF_A_BACKBONE = """import torch
import torch.nn as nn
import torchvision


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.add_module("net_vision", self.get_base_net())
        self.fc = nn.Linear(512, 2)

    def get_base_net(self):
        net = torchvision.models.resnet18(pretrained=True)
        modules = list(net.children())[:-1]
        return nn.Sequential(*modules)

    def forward(self, x):
        return self.fc(self.net_vision(x).flatten(1))


class Learning:
    def __init__(self, loader):
        self.model = Model()
        self.loader = loader

    def evaluation(self):
        correct = 0
        for x, y in self.loader:
            with torch.no_grad():
                correct += (self.model(x).argmax(-1) == y).sum().item()
        return correct


learner = Learning(test_loader)
print(learner.evaluation())
"""


def test_a_container_rebuilt_from_a_backbones_children_has_its_layers() -> None:
    # resnet18's BatchNorm, in a Sequential of its children; the trainer class builds the model in __init__
    assert _found(CHILDREN_OF_A_BACKBONE, "NN501") == [(30, 29)]


def test_a_model_put_in_eval_mode_by_the_trainer_is_silent() -> None:
    source = CHILDREN_OF_A_BACKBONE.replace("        correct = 0\n", "        self.model.eval()\n        correct = 0\n")
    assert _found(source, "NN501") == []
