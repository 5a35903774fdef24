"""Shared by the command-line tests: run ``python -m nnlint`` in a folder, and a file with one finding."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, List, Optional

BUGGY = textwrap.dedent(
    """
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(20, 10), nn.Softmax(dim=1))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
    """
)
BUGGY_FINDING = ":10:12: NN201 "  # where BUGGY's one finding is


def run(
    args: List[str], cwd: Path, env: Optional[Dict[str, str]] = None, stdin: Optional[str] = None
) -> "subprocess.CompletedProcess[str]":
    import os

    full_env = dict(os.environ, **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "nnlint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=full_env,
        input=stdin,
    )
