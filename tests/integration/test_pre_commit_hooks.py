"""The hooks in .pre-commit-hooks.yaml, run the way pre-commit runs them: ``entry`` plus the staged file names."""

from __future__ import annotations

import shlex
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict, List

import pytest

yaml = pytest.importorskip("yaml")

REPO = Path(__file__).resolve().parents[2]
BUGGY = textwrap.dedent(
    """\
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Linear(4, 2)

        def forward(self, x):
            return self.body.forward(x)
    """
)


def _hooks() -> Dict[str, Dict[str, Any]]:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    return {hook["id"]: hook for hook in hooks}


def _run_hook(hook: Dict[str, Any], files: List[str], cwd: Path) -> "subprocess.CompletedProcess[str]":
    command = shlex.split(hook["entry"])
    assert command[0] == "nnlint"  # the console script; run it through this interpreter
    return subprocess.run(
        [sys.executable, "-m", "nnlint", *command[1:], *files], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_hook_definitions_are_complete() -> None:
    hooks = _hooks()
    assert set(hooks) == {"nnlint", "nnlint-fix"}
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["types_or"] == ["python", "jupyter"] and hook["name"]


def test_check_hook_fails_on_a_finding_and_passes_on_clean_files(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(BUGGY)
    (tmp_path / "clean.py").write_text("import torch\n")
    failed = _run_hook(_hooks()["nnlint"], ["model.py", "clean.py"], tmp_path)
    assert failed.returncode == 1 and "model.py:10:16: NN206" in failed.stdout
    assert _run_hook(_hooks()["nnlint"], ["clean.py"], tmp_path).returncode == 0


def test_fix_hook_rewrites_the_file_and_leaves_it_clean(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(BUGGY)
    fixed = _run_hook(_hooks()["nnlint-fix"], ["model.py"], tmp_path)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert (tmp_path / "model.py").read_text() == BUGGY.replace("self.body.forward(x)", "self.body(x)")
    assert _run_hook(_hooks()["nnlint"], ["model.py"], tmp_path).returncode == 0
