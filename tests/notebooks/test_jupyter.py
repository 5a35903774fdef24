"""`%load_ext nnlint` in a real IPython shell (no Jupyter server): each cell is linted against the cells run
before it, and the findings are printed under it."""

from __future__ import annotations

import importlib.util
from typing import Iterator, List

import pytest

IPython = pytest.importorskip("IPython")
pytestmark = pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="the cells import torch")

from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

IMPORTS = (
    "%load_ext autoreload\nimport torch\nimport torch.nn as nn\nfrom torch.utils.data import DataLoader, TensorDataset"
)
DATA_AND_MODEL = (
    "loader = DataLoader(TensorDataset(torch.randn(8, 20), torch.randint(0, 10, (8,))), batch_size=4)\n"
    "model = nn.Sequential(nn.Linear(20, 10), nn.Softmax(dim=1))\n"
    "criterion = nn.CrossEntropyLoss()\n"
    "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)"
)
LOOP = (
    "%%time\nfor x, y in loader:\n    optimizer.zero_grad()\n    loss = criterion(model(x), y)\n"
    "    loss.backward()\n    optimizer.step()"
)


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    InteractiveShell.clear_instance()
    instance = InteractiveShell.instance(colors="nocolor")
    try:
        yield instance
    finally:
        InteractiveShell.clear_instance()


def run(shell: InteractiveShell, capsys, source: str) -> List[str]:
    shell.run_cell(source, store_history=True)
    return [line for line in capsys.readouterr().out.splitlines() if line.startswith("nnlint:")]


def test_cells_are_linted_as_one_program_as_they_run(shell: InteractiveShell, capsys) -> None:
    shell.run_line_magic("load_ext", "nnlint")
    assert run(shell, capsys, IMPORTS) == []
    assert run(shell, capsys, DATA_AND_MODEL) == []  # nothing trains yet
    assert run(shell, capsys, LOOP) == [
        "nnlint: In [2] line 1:10: NN101 this DataLoader feeds the training loop at In [3] line 2 without "
        "shuffle=True or a sampler: "
        "every epoch sees the samples in the same (often class-sorted) order",
        "nnlint: line 4:12: NN201 CrossEntropyLoss receives the model's output after softmax (In [2] line 2); it "
        "applies log-softmax "
        "itself, so pass the raw logits",
    ]
    # running the loop again reports its own finding again, the earlier cell's only once
    assert [line.split(": ", 2)[1] for line in run(shell, capsys, LOOP)] == ["line 4:12"]


def test_a_cell_ipython_cannot_run_is_left_out_and_unload_stops(shell: InteractiveShell, capsys) -> None:
    shell.run_line_magic("load_ext", "nnlint")
    run(shell, capsys, IMPORTS)
    assert run(shell, capsys, "def broken(:\n    pass") == []
    run(shell, capsys, DATA_AND_MODEL)
    assert [line.split(": ", 2)[1] for line in run(shell, capsys, LOOP)] == ["In [3] line 1:10", "line 4:12"]
    shell.run_line_magic("unload_ext", "nnlint")
    assert run(shell, capsys, LOOP) == []
