"""NN102: reshapes that move a channel axis, found from constructors, shape unpacking and axis
references; flattening, permutes and order-keeping reshapes stay silent."""

from __future__ import annotations

import pytest

from tests.conftest import codes, lint_text

HEADER = """
import numpy as np
import torch
"""


def nn102(body: str):
    return codes(lint_text(HEADER + body, select=["NN102"]))


@pytest.mark.parametrize(
    "body",
    [
        # NHWC numpy batch through astype and scalar arithmetic, np.reshape
        "x = np.random.rand(100, 32, 32, 3).astype(np.float32)\nx = (x - 0.5) / 0.25\n"
        "y = np.reshape(x, (-1, 3, 32, 32))\n",
        # a Generator with a size tuple, then torch.from_numpy(...).view(...)
        "rng = np.random.default_rng(0)\nimgs = rng.standard_normal((8, 28, 28, 3))\n"
        "t = torch.from_numpy(imgs).view(8, 3, 28, 28)\n",
        # named sizes, one of them tuple-assigned
        "N = 16\nH, W = 24, 24\nframes = torch.randn(N, H, W, 3)\nframes = frames.reshape(N, 3, H, W)\n",
        # one HWC image: unpacked shape reordered
        "def to_chw(img):\n    h, w, c = img.shape\n    return img.reshape(c, h, w)\n",
        # one HWC image: a channel literal placed before the image's first axis
        "def to_chw(frame):\n    t = torch.from_numpy(frame).float()\n"
        "    return t.view(3, frame.shape[0], frame.shape[1])\n",
        # size() references out of order
        "def swap(x):\n    return x.view(x.size(0), x.size(2), x.size(1))\n",
        # an HWC image indexed out of an NHWC array held by a Dataset
        """
class Images(torch.utils.data.Dataset):
    def __init__(self):
        self.data = np.zeros((10, 32, 32, 3), dtype=np.float32)
    def __getitem__(self, i):
        return torch.from_numpy(self.data[i].reshape(3, 32, 32))
""",
    ],
)
def test_axis_moving_reshape_is_flagged(body: str) -> None:
    assert nn102(body) == ["NN102"]


@pytest.mark.parametrize(
    "body",
    [
        # flattening and batch-first views
        "x = torch.randn(8, 3, 32, 32)\ny = x.view(x.size(0), -1)\nz = x.reshape(8, 3 * 32 * 32)\n",
        # permute / transpose / movedim, then an order-keeping reshape
        "x = torch.randn(8, 32, 32, 3)\ny = x.permute(0, 3, 1, 2).reshape(8, 3, 32, 32)\nz = torch.movedim(x, -1, 1)\n",
        "x = np.random.rand(8, 32, 32, 3)\ny = np.transpose(x, (0, 3, 1, 2))\nz = y.reshape(8, 3, 32, 32)\n",
        # CIFAR rows are stored channel-major: (N, 3072) -> (N, 3, 32, 32) is right
        "rows = np.random.rand(100, 3072).astype(np.float32)\nimgs = rows.reshape(-1, 3, 32, 32)\n",
        # moving a size-1 axis reorders nothing
        "gray = torch.randn(28, 28, 1)\nchw = gray.reshape(1, 28, 28)\n",
        # splitting and merging neighbouring axes
        "def heads(x):\n    b, t, d = x.shape\n    return x.view(b, t, 8, d // 8)\n",
        "def merge(x):\n    n, c, h, w = x.shape\n    return x.reshape(n, c * h * w)\n",
        # adding a leading batch axis
        "def batch(img):\n    return img.view(1, img.shape[0], img.shape[1], img.shape[2])\n",
        # a dtype view
        "x = torch.randn(4, 4)\ny = x.view(torch.int32)\n",
        # square matrices: no channel-sized axis moves
        "w = torch.randn(64, 128)\nv = w.view(128, 64)\n",
        # unknown source shape
        "def f(x):\n    return x.reshape(-1, 3, 32, 32)\n",
    ],
)
def test_look_alikes_are_silent(body: str) -> None:
    assert nn102(body) == []


IMAGE_HEADER = """
import cv2
import numpy as np
import torch
from PIL import Image
"""


@pytest.mark.parametrize(
    "body,expected",
    [
        ("img = cv2.imread(path)\nt = torch.from_numpy(img).float().view(3, 224, 224)\n", ["NN102"]),
        (
            "img = cv2.cvtColor(cv2.imread(path), cv2.COLOR_BGR2RGB)\nimg = cv2.resize(img, (64, 64))\n"
            "x = img.reshape(3, 64, 64)\n",
            ["NN102"],
        ),
        (
            "img = np.array(Image.open(path).convert('RGB'))\n"
            "x = torch.tensor(img).reshape(3, img.shape[0], img.shape[1])\n",
            ["NN102"],
        ),
        ("img = cv2.imread(path)\nx = img.transpose(2, 0, 1).reshape(3, 224, 224)\n", []),
        (
            "img = cv2.imread(path)\npixels = img.reshape(-1, 3)\nrows = img.reshape(224, 224 * 3)\n"
            "batch = img.reshape(1, 224, 224, 3)\n",
            [],
        ),
        ("img = cv2.imread(path, cv2.IMREAD_GRAYSCALE)\nx = img.reshape(1, 28, 28)\n", []),
        (
            "img = np.array(Image.open(path))\nx = img.reshape(3, 32, 32)\n",
            [],
        ),  # channel count unknown without convert()
    ],
)
def test_decoded_images_are_channels_last(body: str, expected) -> None:
    assert codes(lint_text(IMAGE_HEADER + body, select=["NN102"])) == expected


# ------------------------------------------------------------- axes named after reassignment and indexing
UNPACKED_THEN_RESCALED = """
import torch

def encode(frames):
    n, cams, h, w, ch = frames.shape
    frames = frames.float() / 255.0
    return frames.reshape(-1, ch, h, w)
"""


def test_unpacked_axes_survive_a_rescaling_reassignment() -> None:
    findings = lint_text(UNPACKED_THEN_RESCALED, select=["NN102"])
    assert [(f.line, f.column, f.code) for f in findings] == [(7, 12, "NN102")]


@pytest.mark.parametrize(
    "fixed",
    [
        "frames.permute(0, 1, 4, 2, 3).reshape(-1, ch, h, w)",  # moved, then merged
        "frames.reshape(-1, h, w, ch)",  # channels stay last
    ],
)
def test_rescaled_frames_reshaped_in_order_are_silent(fixed: str) -> None:
    source = UNPACKED_THEN_RESCALED.replace("frames.reshape(-1, ch, h, w)", fixed)
    assert lint_text(source, select=["NN102"]) == []


INDEXED_CHILD = """
import torch

def to_hwc(batch):
    image = batch[0].view(batch.shape[2], batch.shape[3], 3)
    return image.numpy()
"""


def test_an_indexed_child_viewed_with_its_parents_trailing_axes_is_flagged() -> None:
    findings = lint_text(INDEXED_CHILD, select=["NN102"])
    assert [(f.line, f.column, f.code) for f in findings] == [(5, 13, "NN102")]
    assert "permute(1, 2, 0)" in findings[0].message


@pytest.mark.parametrize(
    "fixed",
    [
        "batch[0].permute(1, 2, 0)",  # the move the view meant
        "batch[0].view(batch.shape[1], batch.shape[2], batch.shape[3])",  # every axis in place
        "batch[0].view(-1, batch.shape[3])",  # rows merged, columns kept
        "batch[0].view(batch.shape[0], -1)",  # the batch axis the indexing dropped: not the child's own
        "batch.view(batch.shape[1], batch.shape[2], 3)",  # no indexing: the rank is unknown, (1, H, W, 3) fits
        "batch[0].view(batch.shape[2], batch.shape[3], 5)",  # not a channel count
    ],
)
def test_indexed_children_viewed_in_order_are_silent(fixed: str) -> None:
    source = INDEXED_CHILD.replace("batch[0].view(batch.shape[2], batch.shape[3], 3)", fixed)
    assert lint_text(source, select=["NN102"]) == []
