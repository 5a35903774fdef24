"""NN301 where a loss function contradicts itself: it applies the sigmoid to its parameter (or lets
``BCEWithLogitsLoss`` apply it) and computes a soft overlap (Dice, IoU) on the same parameter as it arrived,
which only makes sense on probabilities; and ``torch`` read as the package where only ``torch.nn`` is
imported."""

from __future__ import annotations

from tests.conftest import lint_text

DICE_AFTER_BCE = """import torch
import torch.nn as nn


def cd_loss(input, target):
    bce = nn.BCELoss()(torch.sigmoid(input), target)
    smooth = 1.0
    iflat = input.view(-1)
    tflat = target.view(-1)
    intersection = (iflat * tflat).sum()
    dice = 1 - ((2.0 * intersection + smooth) / (iflat.sum() + tflat.sum() + smooth))
    return dice + bce
"""


def nn301(source: str) -> list:
    return [(f.line, f.column, f.message) for f in lint_text(source, select=["NN301"])]


def test_a_sigmoid_bce_beside_a_dice_on_the_raw_input_is_reported_at_the_bce() -> None:
    assert nn301(DICE_AFTER_BCE) == [
        (
            6,
            11,
            "BCELoss receives the sigmoid of `input`, but the overlap term at line 11 (Dice, IoU) uses `input` as "
            "a probability: either the sigmoid is applied twice or the overlap term gets logits; apply one "
            "sigmoid and use its result in both",
        )
    ]


def test_bce_with_logits_beside_an_iou_on_the_raw_input_is_reported() -> None:
    source = (
        "import torch\nimport torch.nn.functional as F\n\n\n"
        "def iou_bce(pred, mask):\n"
        "    bce = F.binary_cross_entropy_with_logits(pred, mask)\n"
        "    inter = torch.sum(pred * mask)\n"
        "    union = torch.sum(pred + mask) - inter\n"
        "    return bce + 1 - inter / union\n"
    )
    findings = nn301(source)
    assert [(line, column) for line, column, _ in findings] == [(6, 11)]
    assert findings[0][2].startswith(
        "binary_cross_entropy_with_logits treats `pred` as logits, but the overlap term at line 9"
    )


def test_silent_when_the_overlap_is_computed_on_the_sigmoid() -> None:
    reassigned = (
        "import torch\nimport torch.nn.functional as F\n\n\n"
        "def bce_dice(inputs, targets, smooth=1e-5):\n"
        "    bce = F.binary_cross_entropy_with_logits(inputs, targets)\n"
        "    inputs = torch.sigmoid(inputs)\n"
        "    inputs = inputs.view(-1)\n"
        "    intersection = (inputs * targets.view(-1)).sum()\n"
        "    return bce + 1 - (2 * intersection + smooth) / (inputs.sum() + targets.sum() + smooth)\n"
    )
    assert nn301(reassigned) == []
    probabilities = DICE_AFTER_BCE.replace("iflat = input.view(-1)", "iflat = torch.sigmoid(input).view(-1)")
    assert nn301(probabilities) == []


def test_silent_without_a_ratio_of_sums_or_when_a_caller_shows_logits() -> None:
    manual_logits_bce = (
        "import torch\nimport torch.nn.functional as F\n\n\n"
        "def loss_fn(x, y):\n"
        "    bce = F.binary_cross_entropy_with_logits(x, y)\n"
        "    return bce + (x * y).sum() / 10\n"
    )
    assert nn301(manual_logits_bce) == []
    caller = (
        "\n\nclass Net(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(4, 1)\n\n"
        "    def forward(self, x):\n        return self.fc(x)\n\n\n"
        "net = Net()\nopt = torch.optim.SGD(net.parameters(), lr=0.1)\n"
        "for x, y in loader:\n    loss = cd_loss(net(x), y)\n    loss.backward()\n    opt.step()\n"
    )
    assert nn301(DICE_AFTER_BCE + caller) == []


def test_torch_unbound_beside_an_import_of_torch_nn_reads_as_the_package() -> None:
    without_torch = DICE_AFTER_BCE.replace("import torch\nimport torch.nn as nn\n", "import torch.nn as nn\n")
    assert [(line, column) for line, column, _ in nn301(without_torch)] == [(5, 11)]
    shadowed = "torch = None\n" + without_torch
    assert nn301(shadowed) == []
