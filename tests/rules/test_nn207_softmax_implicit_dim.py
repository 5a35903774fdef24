"""NN207: softmax-family calls without dim, through aliases and imported names."""

from __future__ import annotations

import pytest

from tests.conftest import codes, lint_text


def nn207(source: str):
    return codes(lint_text(source, select=["NN207"]))


@pytest.mark.parametrize(
    "line",
    [
        "from torch.nn.functional import log_softmax\ny = log_softmax(x)",
        "import torch.nn.functional as fn\ny = fn.softmin(x)",
        "from torch import nn\nlayer = nn.Softmax()",
        "import torch\nlayer = torch.nn.LogSoftmax()",
        "import torch\ny = torch.softmax(x)",
        "import torch.nn.functional as F\ny = F.softmax(x, dtype=torch.float32)",
        "from torch import nn\nlayer = nn.Softmax(dim=None)",
    ],
)
def test_missing_dim_is_flagged(line: str) -> None:
    assert nn207(line) == ["NN207"]


@pytest.mark.parametrize(
    "line",
    [
        "import torch.nn.functional as F\ny = F.softmax(x, 1)",
        "import torch.nn.functional as F\ny = F.log_softmax(x, dim=-1)",
        "from torch import nn\nlayer = nn.Softmax(-1)",
        "import torch\ny = torch.softmax(x, -1)",
        "y = x.softmax(-1)",
        "import torch.nn.functional as F\ny = F.softmax(x, **kwargs)",
        "from scipy.special import softmax\ny = softmax(x)",
        "def softmax(x):\n    return x\ny = softmax(z)",
    ],
)
def test_explicit_dim_or_other_softmax_is_silent(line: str) -> None:
    assert nn207(line) == []
