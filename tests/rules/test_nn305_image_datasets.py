"""NN305 across the files of a project: a depth map read from an image in a Dataset's ``__getitem__`` (in
another file), batched by a DataLoader, drawn in a trainer's loop, against a one-channel convolution of a
model in a third file. The shapes behind it: images read into arrays, resampling, tuple returns of helper
methods."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Dict, Optional

import libcst as cst
import pytest

from nnlint.analysis import image_arrays
from nnlint.analysis.batch_shapes import tensor_shape
from nnlint.analysis.model import SemanticModel
from nnlint.config import Config
from nnlint.engine import Linter

HEADER = """
import cv2
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image
"""


def shape(body: str, assume: Optional[str] = None) -> Optional[str]:
    """The shape of the argument of the last ``probe(...)`` call of the snippet."""
    source = HEADER + textwrap.dedent(body)
    model = SemanticModel(cst.parse_module(source))
    call = [c for c in model.calls if isinstance(c.node.func, cst.Name) and c.node.func.value == "probe"][-1]
    if assume is None:
        found = tensor_shape(model, call.node.args[0].value, call.scope)
    else:
        with image_arrays.assuming(assume):
            found = tensor_shape(model, call.node.args[0].value, call.scope)
    return found.describe() if found is not None else None


@pytest.mark.parametrize(
    "body,expected",
    [
        ('probe(np.array(Image.open(path).convert("L")))', "(H, W)"),
        (
            'img = Image.open(path).convert("RGB").resize((64, 64))\nprobe(np.asarray(img, dtype=np.float32))',
            "(H, W, 3)",
        ),
        (
            'probe(torch.from_numpy(np.array(Image.open(path).convert("RGBA")).astype(np.float64) / 255.0).float())',
            "(H, W, 4)",
        ),
        ("probe(cv2.imread(path))", "(H, W, 3)"),
        ("probe(cv2.imread(path, cv2.IMREAD_GRAYSCALE))", "(H, W)"),
        ("probe(cv2.imread(path, 0))", "(H, W)"),
        ("probe(cv2.imread(path, cv2.IMREAD_UNCHANGED))", None),
        ("probe(np.array(Image.open(path)))", None),  # as many channels as the file has
        ("probe(np.array(Image.open(path).convert(mode)))", None),
        ("probe(np.array(torch.randn(4, 3)))", "(4, 3)"),
        ('x = torch.randn(2, 1, 8, 8)\nprobe(F.interpolate(x, scale_factor=4, mode="bilinear"))', "(2, 1, ?, ?)"),
        ("x = torch.randn(2, 5, 8)\nprobe(F.interpolate(x, size=16))", "(2, 5, ?)"),
        ('probe(nn.Upsample(scale_factor=2, mode="nearest")(torch.randn(2, 3, 8, 8)))', "(2, 3, ?, ?)"),
        ('probe(F.interpolate(nn.Conv2d(8, 1, 1)(x), scale_factor=2, mode="bilinear"))', "(..., 1, ?, ?)"),
        ("probe(F.interpolate(nn.Conv2d(8, 1, 1)(x), scale_factor=2))", None),  # how many axes are spatial?
    ],
)
def test_image_and_resampling_shapes(body: str, expected: Optional[str]) -> None:
    assert shape(body) == expected


def test_an_image_of_unknown_mode_is_read_under_an_assumption_only() -> None:
    body = "probe(torch.from_numpy(np.array(Image.open(path), dtype=np.uint8).astype(np.float64)))"
    before = image_arrays.open_images()
    assert shape(body) is None
    assert image_arrays.open_images() > before  # the query says it met such an image
    assert shape(body, "gray") == "(H, W)"
    assert shape(body, "color") == "(H, W, C)"
    assert image_arrays.assumption() is None


PROJECT: Dict[str, str] = {
    "data.py": """
        import numpy as np
        import PIL.Image
        import torch
        from torch.utils import data


        class DepthPairs(data.Dataset):
            def __init__(self, names, transform=False):
                super().__init__()
                self.names = names
                self._transform = transform

            def __len__(self):
                return len(self.names)

            def __getitem__(self, index):
                image = np.array(PIL.Image.open(self.names[index] + ".jpg"), dtype=np.uint8)
                depth = np.array(PIL.Image.open(self.names[index] + ".png"), dtype=np.uint8)
                if self._transform:
                    return self.transform(image, depth)
                return image, depth

            def transform(self, image, depth):
                image = torch.from_numpy(image.astype(np.float64).transpose(2, 0, 1) / 255.0).float()
                depth = torch.from_numpy(depth.astype(np.float64) / 255.0).float()
                return image, depth
        """,
    "model.py": """
        import torch.nn as nn
        import torch.nn.functional as F


        class DepthNet(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = nn.Conv2d(3, 32, 3, stride=4, padding=1)
                self.depth = nn.Conv2d(32, 1, 1)

            def forward(self, x):
                features = self.body(x)
                depth = F.interpolate(self.depth(features), scale_factor=4, mode="bilinear", align_corners=False)
                return features, depth
        """,
    "trainer.py": """
        import torch.nn.functional as F


        class Trainer:
            def __init__(self, model, optimizer, train_loader):
                self.model = model
                self.optimizer = optimizer
                self.train_loader = train_loader

            def train_epoch(self):
                for step, (image, depth) in enumerate(self.train_loader):
                    self.optimizer.zero_grad()
                    _, predicted = self.model(image)
                    loss = F.smooth_l1_loss(predicted, depth)
                    loss.backward()
                    self.optimizer.step()
        """,
    "train.py": """
        import torch
        from data import DepthPairs
        from model import DepthNet
        from trainer import Trainer

        loader = torch.utils.data.DataLoader(DepthPairs(["a", "b"], transform=True), batch_size=4, shuffle=True)
        net = DepthNet()
        trainer = Trainer(model=net, optimizer=torch.optim.SGD(net.parameters(), lr=0.01), train_loader=loader)
        for epoch in range(10):
            trainer.train_epoch()
        """,
}


def lint_project(tmp_path: Path, files: Dict[str, str]):
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text).lstrip("\n"))
    return Linter(Config(select=["NN305", "NN002"])).lint_paths([str(tmp_path)])


def test_a_one_channel_depth_map_against_depth_images_of_another_file(tmp_path: Path) -> None:
    findings = lint_project(tmp_path, PROJECT)
    assert [(Path(f.path).name, f.code, f.line, f.column) for f in findings] == [("trainer.py", "NN305", 14, 20)]
    message = findings[0].message
    assert "prediction of shape (..., 1, ?, ?) with a target of shape (N, H, W)" in message
    assert "(or (N, H, W, C), should the image it is read from have colour channels)" in message


@pytest.mark.parametrize(
    "old,new",
    [
        ("F.smooth_l1_loss(predicted, depth)", "F.smooth_l1_loss(predicted, depth.unsqueeze(1))"),
        ("F.smooth_l1_loss(predicted, depth)", "F.smooth_l1_loss(predicted.squeeze(1), depth)"),
    ],
)
def test_matching_depth_axes_are_silent(tmp_path: Path, old: str, new: str) -> None:
    files = dict(PROJECT, **{"trainer.py": PROJECT["trainer.py"].replace(old, new)})
    assert lint_project(tmp_path, files) == []


@pytest.mark.parametrize("mode,target", [("L", "(N, H, W)"), ("RGB", "(N, H, W, 3)")])
def test_a_depth_image_read_with_a_mode_has_one_shape(tmp_path: Path, mode: str, target: str) -> None:
    data = PROJECT["data.py"].replace('+ ".png"), dtype', f'+ ".png").convert("{mode}"), dtype')
    findings = lint_project(tmp_path, dict(PROJECT, **{"data.py": data}))
    assert [(f.line, f.column) for f in findings] == [(14, 20)]
    assert f"with a target of shape {target}: the prediction is broadcast" in findings[0].message


def test_a_dataset_whose_returns_disagree_is_silent(tmp_path: Path) -> None:
    """Without the transform the depth is (H, W, 3) on one path and (H, W) on the other: unknown."""
    plain = "return image, depth\n\n"  # the return without the transform
    assert PROJECT["data.py"].count(plain) == 1
    data = PROJECT["data.py"].replace(plain, "return image, np.stack([depth] * 3, -1)\n\n")
    data = data.replace('+ ".png"), dtype', '+ ".png").convert("L"), dtype')
    assert lint_project(tmp_path, dict(PROJECT, **{"data.py": data})) == []
