"""Causes of the misses of holdout rounds 9 and 10 (``bench/realcode/holdout9-bugs.tsv``, ``holdout10-bugs.tsv``),
each as the construct real code used, with a twin that must stay silent."""

from __future__ import annotations

from pathlib import Path
from typing import List, Tuple

from nnlint.config import Config
from nnlint.engine import Linter

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


TENSOR_ON_SELF = """import torch
import torch.nn as nn


class GAN:
    def __init__(self):
        self.netG = nn.Sequential(nn.Linear(4, 4), nn.Tanh())
        self.netD = nn.Sequential(nn.Linear(4, 1), nn.Sigmoid())
        self.criterion = nn.BCEWithLogitsLoss()
        self.optimizer = torch.optim.Adam(self.netD.parameters())

    def forward(self, x):
        self.fake = self.netG(x)
        self.pred = self.netD(self.fake)

    def backward_D(self):
        loss = self.criterion(self.pred, torch.ones_like(self.pred))
        loss.backward()

    def optimize(self, x):
        self.forward(x)
        self.optimizer.zero_grad()
        self.backward_D()
        self.optimizer.step()
"""


def test_a_tensor_kept_on_self_by_another_method_has_its_tail() -> None:
    # pix2pix style: the discriminator's sigmoid output stored in self.pred, fed to BCEWithLogitsLoss
    assert _found(TENSOR_ON_SELF, "NN301") == [(17, 16)]
    assert _found(TENSOR_ON_SELF.replace("nn.Linear(4, 1), nn.Sigmoid()", "nn.Linear(4, 1)"), "NN301") == []


def test_literal_arguments_pick_the_return_of_a_factory() -> None:
    from tests.analysis.test_model import build

    model = build(
        "import torch.nn as nn\n\n"
        "def get_criterion(classification):\n"
        "    if classification:\n"
        "        return nn.CrossEntropyLoss()\n"
        "    return nn.MSELoss()\n\n"
        "first = get_criterion(True)\n"
        "second = get_criterion(False)\n"
    )
    picked = {
        name: model.object_of(model.lookup(name, model.module_scope).value, model.module_scope).qualname
        for name in ("first", "second")
    }
    assert picked == {"first": "torch.nn.CrossEntropyLoss", "second": "torch.nn.MSELoss"}


FOCAL_THROUGH_ATTRIBUTES = """import torch
import torch.nn as nn
import torch.nn.functional as F


def _neg_loss(pred, gt):
    pos = gt.eq(1).float()
    pos_loss = torch.log(pred) * torch.pow(1 - pred, 2) * pos
    return -pos_loss.sum()


class FocalLoss(nn.Module):
    def __init__(self):
        super().__init__()
        self.neg_loss = _neg_loss

    def forward(self, out, target):
        return self.neg_loss(out, target)


class ComputeLoss(nn.Module):
    def __init__(self):
        super().__init__()
        self.focal_loss = FocalLoss()

    def forward(self, outputs, tg):
        outputs["hm"] = F.sigmoid(outputs["hm"])
        return self.focal_loss(outputs["hm"], tg["hm"])
"""


def test_a_sigmoid_written_into_a_dict_reaches_a_log_through_a_module_and_a_function_on_self() -> None:
    # the heatmap's sigmoid, stored back under its key, reaches `torch.log(pred)` in the focal loss unclamped
    assert _found(FOCAL_THROUGH_ATTRIBUTES, "NN304") == [(8, 16)]


def test_a_clamped_sigmoid_is_silent() -> None:
    source = FOCAL_THROUGH_ATTRIBUTES.replace(
        'F.sigmoid(outputs["hm"])', 'torch.clamp(F.sigmoid(outputs["hm"]), min=1e-4, max=1 - 1e-4)'
    )
    assert _found(source, "NN304") == []


def test_a_softmax_head_is_reported_in_its_own_file_when_another_file_feeds_it_to_cross_entropy(
    tmp_path: Path,
) -> None:
    (tmp_path / "evaluator.py").write_text(
        "import torch.nn as nn\n\n\n"
        "class SSLEvaluator(nn.Module):\n"
        "    def __init__(self, n_input, n_classes):\n"
        "        super().__init__()\n"
        "        self.block = nn.Sequential(nn.Linear(n_input, n_classes), nn.Softmax(dim=1))\n\n"
        "    def forward(self, x):\n"
        "        return self.block(x)\n"
    )
    (tmp_path / "finetuner.py").write_text(
        "import torch\nimport torch.nn.functional as F\nfrom evaluator import SSLEvaluator\n\n"
        "evaluator = SSLEvaluator(64, 10)\n"
        "optimizer = torch.optim.Adam(evaluator.parameters())\n"
        "for x, y in loader:\n"
        "    optimizer.zero_grad()\n"
        "    loss = F.cross_entropy(evaluator(x), y)\n"
        "    loss.backward()\n"
        "    optimizer.step()\n"
    )
    findings = Linter(Config(select=["NN201"])).lint_paths([str(tmp_path)])
    assert sorted((Path(f.path).name, f.line, f.column) for f in findings) == [
        ("evaluator.py", 7, 67),
        ("finetuner.py", 9, 12),
    ]
    here = next(f for f in findings if f.path.endswith("evaluator.py"))
    assert "reaches cross_entropy (finetuner.py:9)" in here.message


def test_a_softmax_head_used_only_for_probabilities_elsewhere_is_silent(tmp_path: Path) -> None:
    (tmp_path / "evaluator.py").write_text(
        "import torch.nn as nn\n\n\n"
        "class SSLEvaluator(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.block = nn.Sequential(nn.Linear(64, 10), nn.Softmax(dim=1))\n\n"
        "    def forward(self, x):\n"
        "        return self.block(x)\n"
    )
    (tmp_path / "predict.py").write_text(
        "import torch\nimport torch.nn.functional as F\nfrom evaluator import SSLEvaluator\n\n"
        "model = SSLEvaluator()\nprint(F.nll_loss(torch.log(model(x) + 1e-8), y))  # not cross_entropy\n"
    )
    assert Linter(Config(select=["NN201"])).lint_paths([str(tmp_path)]) == []
