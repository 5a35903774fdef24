"""Start-up cost: commands that parse nothing must not import libcst (two thirds of a bare start-up)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

_PROBE = """
import runpy, sys
sys.argv = ["nnlint", *sys.argv[1:]]
try:
    runpy.run_module("nnlint", run_name="__main__")
except SystemExit:
    pass
print("LIBCST-IMPORTED" if "libcst" in sys.modules else "LIBCST-ABSENT")
"""


def _run(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        cwd=str(REPO / "tests"),
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    return result.stdout


def test_version_does_not_import_libcst() -> None:
    out = _run("--version")
    assert "nnlint, version" in out
    assert out.strip().endswith("LIBCST-ABSENT")


def test_linting_a_file_does_import_libcst(tmp_path: Path) -> None:
    # the probe itself is sound: a run that parses a file does load libcst
    script = tmp_path / "train.py"
    script.write_text("import torch\nx = torch.zeros(3)\n")
    out = _run("check", "--no-cache", str(script))
    assert out.strip().endswith("LIBCST-IMPORTED")
