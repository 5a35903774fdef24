"""Notebooks for tests, written the way Jupyter writes them (nbformat 4.5, one-space indent, cell ids)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple, Union

Cell = Union[str, Tuple[str, str]]  # a code cell's source, or (kind, source)


def cell_dicts(cells: Sequence[Cell]) -> List[Dict[str, Any]]:
    out: List[Dict[str, Any]] = []
    for index, cell in enumerate(cells):
        kind, source = ("code", cell) if isinstance(cell, str) else cell
        entry: Dict[str, Any] = {"cell_type": kind, "id": f"c{index:04d}", "metadata": {}}
        if kind == "code":
            entry.update(
                execution_count=index + 1,
                outputs=[{"name": "stdout", "output_type": "stream", "text": [f"output of cell {index + 1}\n"]}],
            )
        entry["source"] = source.splitlines(keepends=True)
        out.append({key: entry[key] for key in sorted(entry)})
    return out


def notebook_text(cells: Sequence[Cell], language: str = "python", ensure_ascii: bool = False) -> str:
    data = {
        "cells": cell_dicts(cells),
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": language, "name": "python3"},
            "language_info": {"name": language},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(data, indent=1, ensure_ascii=ensure_ascii) + "\n"


def write_notebook(path: Path, cells: Sequence[Cell], **options: Any) -> Path:
    path.write_text(notebook_text(cells, **options), encoding="utf-8")
    return path


IMPORTS = "import torch\nimport torch.nn as nn\n"
SOFTMAX_MODEL = (
    "model = nn.Sequential(nn.Linear(20, 10), nn.Softmax(dim=1))\n"
    "criterion = nn.CrossEntropyLoss()\n"
    "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
    "loader = [(torch.randn(4, 20), torch.randint(0, 10, (4,)))]"
)
TRAIN_LOOP = (
    "for x, y in loader:\n"
    "    optimizer.zero_grad()\n"
    "    loss = criterion(model(x), y)\n"
    "    loss.backward()\n"
    "    optimizer.step()"
)
# markdown, imports with magics, the model (cell 3), a markdown cell, the training loop (cell 5):
# NN201 at cell 5, line 3, column 12 (the loss call), pointing at cell 3, line 1
SOFTMAX_NOTEBOOK: List[Cell] = [
    ("markdown", "# Training\n\nA model defined in one cell, trained in another."),
    "%matplotlib inline\n!pip install -q torch\n" + IMPORTS,
    SOFTMAX_MODEL,
    ("markdown", "## The loop"),
    TRAIN_LOOP,
]
