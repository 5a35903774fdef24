"""NN205: stride > kernel per dimension, positional and keyword, modules and functions."""

from __future__ import annotations

import pytest

from tests.conftest import codes, lint_text


def nn205(source: str):
    return codes(lint_text(source, select=["NN205"]))


@pytest.mark.parametrize(
    "line",
    [
        "import torch.nn as nn\np = nn.MaxPool2d(kernel_size=(2, 2), stride=(3, 3))",
        "import torch.nn as nn\np = nn.MaxPool2d((2, 3), (2, 4))",
        "import torch.nn as nn\np = nn.AvgPool3d(2, 3)",
        "import torch.nn.functional as F\ny = F.avg_pool1d(x, 2, 3)",
        "from torch.nn import LPPool2d\np = LPPool2d(2, 2, stride=3)",
        "import torch.nn.functional as F\nSTRIDE = 4\ny = F.max_pool2d(x, 2, stride=STRIDE)",
    ],
)
def test_stride_larger_than_kernel(line: str) -> None:
    assert nn205(line) == ["NN205"]


@pytest.mark.parametrize(
    "line",
    [
        "import torch.nn as nn\np = nn.MaxPool2d(2)",
        "import torch.nn as nn\np = nn.MaxPool2d(3, stride=2, padding=1)",
        "import torch.nn as nn\np = nn.MaxPool2d(2, stride=None)",
        "import torch.nn as nn\np = nn.MaxPool2d(2, stride=3, dilation=2)",
        "import torch.nn as nn\np = nn.MaxPool2d(k, stride=s)",
        "import torch.nn.functional as F\ny = F.max_pool2d(x, (3, 3), (2, 3))",
        "import torch.nn as nn\np = nn.AdaptiveAvgPool2d(1)",
        "import torch.nn as nn\np = nn.LPPool2d(4, 2)",
        "import torch.nn as nn\np = nn.AvgPool2d(1, stride=2, count_include_pad=False)",
        "import torch.nn.functional as F\ny = F.avg_pool2d(x, 1, 2)",
    ],
)
def test_default_or_overlapping_pooling_is_silent(line: str) -> None:
    assert nn205(line) == []


def test_a_one_wide_window_with_a_larger_stride_in_one_axis_only_is_still_reported() -> None:
    assert nn205("import torch.nn as nn\np = nn.MaxPool2d((1, 2), stride=(1, 3))") == ["NN205"]
