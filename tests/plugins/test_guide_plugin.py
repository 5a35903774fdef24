"""A plugin written from docs/plugins.md alone (tests/plugins/guide_plugin) works end to end: loaded
through its entry point from a ``*.dist-info`` folder on PYTHONPATH (no installation), its rule (semantic
model, a fix) and probe (typed observations) fire through the CLI, and its own tests pass."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict

import pytest

REPO = Path(__file__).resolve().parents[2]
PLUGIN = Path(__file__).resolve().parent / "guide_plugin"
pytestmark = [
    pytest.mark.dynamic,
    pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="the probe needs torch"),
]


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Path]:
    root = tmp_path_factory.mktemp("guide-plugin")
    shutil.copytree(PLUGIN / "site", root / "site")
    shutil.copy2(PLUGIN / "demo_checks.py", root / "test_demo.py")
    (root / "project").mkdir()
    shutil.copy2(PLUGIN / "train.py.txt", root / "project" / "train.py")
    return {"root": root, "site": root / "site", "project": root / "project"}


def _run(layout: Dict[str, Path], *args: str, cwd: Path) -> "subprocess.CompletedProcess[str]":
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(REPO), str(layout["site"])]),
        NNLINT_CACHE_DIR=str(layout["root"] / "cache"),
    )
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_the_plugin_loads_from_its_dist_info_and_fires_with_its_fix(layout: Dict[str, Path]) -> None:
    listed = _run(layout, "-m", "nnlint", "plugins", cwd=layout["project"])
    assert "demo             nnlint-demo 0.1.0: NND001, NND801" in listed.stdout.splitlines(), (
        listed.stdout + listed.stderr
    )
    found = _run(layout, "-m", "nnlint", "--select", "NND", "train.py", cwd=layout["project"])
    assert found.returncode == 1, found.stderr
    assert found.stdout.splitlines() == [
        "train.py:6:5: NND001 zero_grad(set_to_none=False) fills every gradient with zeros at each step; call "
        "zero_grad()"
    ]
    dynamic = _run(
        layout, "-m", "nnlint", "--no-cache", "--dynamic", "--select", "NND", "train.py", cwd=layout["project"]
    )
    assert dynamic.stdout.splitlines()[1:] == [
        "train.py:8:1: NND801 param group 0 of SGD has lr=5, above 1 [dynamic]"
    ], dynamic.stdout + dynamic.stderr
    fixed = _run(layout, "-m", "nnlint", "--select", "NND", "--fix", "train.py", cwd=layout["project"])
    assert fixed.returncode == 0 and fixed.stdout == "", fixed.stdout + fixed.stderr
    assert "    optimizer.zero_grad()\n" in (layout["project"] / "train.py").read_text()


def test_the_plugins_own_tests_pass(layout: Dict[str, Path]) -> None:
    result = _run(layout, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_demo.py", cwd=layout["root"])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "3 passed" in result.stdout
