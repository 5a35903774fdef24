"""Plugins are found without importlib.metadata where no installed distribution declares one: its import and
its scan of every distribution cost a tenth of a cold run (``nnlint.registry._may_declare``). Wherever it
answers "none", importlib.metadata itself finds none."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from importlib.metadata import distributions
from pathlib import Path
from typing import List

import pytest

from nnlint.registry import _may_declare

REPO = Path(__file__).resolve().parents[2]


def _declared(path: List[str], group: str) -> bool:
    return any(point.group == group for dist in distributions(path=path) for point in dist.entry_points)


def _dist(site: Path, name: str, entry_points: str) -> None:
    info = site / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    if entry_points:
        (info / "entry_points.txt").write_text(entry_points)


@pytest.mark.parametrize(
    "entry_points, declares",
    [
        ("", False),
        ("[console_scripts]\nnnlint = nnlint.start:main\n", False),
        ("[nnlint.extra]\nx = y\n", False),
        ("# [nnlint]\n[other]\nx = y\n", False),
        ("[nnlint]\ndemo = demo.plugin\n", True),
        ("  [nnlint]  \n\ndemo = demo.plugin\n", True),
        ("[other]\nx = y\n[[nnlint]]\ndemo = demo\n", True),
    ],
)
def test_the_pre_check_reads_sections_as_importlib_metadata_does(
    tmp_path: Path, entry_points: str, declares: bool
) -> None:
    site = tmp_path / "site"
    _dist(site, "plain", "[console_scripts]\nplain = plain:main\n")
    _dist(site, "candidate", entry_points)
    (site / "legacy.egg-info").write_text("Metadata-Version: 1.0\nName: legacy\n")  # a file: no entry points
    path = [str(site), str(tmp_path / "missing")]
    assert _declared(path, "nnlint") is declares
    assert _may_declare(path, "nnlint") is declares


def test_what_the_pre_check_cannot_read_goes_to_importlib_metadata(tmp_path: Path) -> None:
    archive = tmp_path / "plugins.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("demo-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n")
        zipped.writestr("demo-1.0.dist-info/entry_points.txt", "[nnlint]\ndemo = demo\n")
    assert _declared([str(archive)], "nnlint") and _may_declare([str(archive)], "nnlint")
    egg = tmp_path / "demo-1.0.egg"
    (egg / "EGG-INFO").mkdir(parents=True)
    (egg / "EGG-INFO" / "entry_points.txt").write_text("[nnlint]\ndemo = demo\n")
    assert _may_declare([str(egg)], "nnlint")
    site = tmp_path / "site"
    _dist(site, "demo", "[nnlint]\n")
    (site / "demo-1.0.dist-info" / "entry_points.txt").write_bytes(b"\xff[nnlint]\n")  # not UTF-8
    assert _may_declare([str(site)], "nnlint")


def test_a_run_without_plugins_imports_no_importlib_metadata(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text("import torch\nx = torch.zeros(3)\n")
    probe = (
        "import sys, runpy\n"
        f"sys.argv = ['nnlint', '--no-cache', {str(script)!r}]\n"
        "try:\n    runpy.run_module('nnlint', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "print('LOADED', 'libcst' in sys.modules, 'importlib.metadata' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    assert result.stdout.splitlines()[-1] == "LOADED True False", result.stderr
