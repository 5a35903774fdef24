"""The static pass never imports torch (nor numpy): checked in a fresh interpreter, through the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
from nnlint.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
heavy = sorted(
    name for name in sys.modules if name.split(".")[0] in ("torch", "numpy", "lightning", "pytorch_lightning")
)
print(json.dumps(heavy))
"""


def _modules_loaded_by(*args: str, cache_dir: str = "") -> list:
    env = dict(os.environ, NNLINT_CACHE_DIR=cache_dir) if cache_dir else None
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=REPO, timeout=300, env=env
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_linting_the_corpus_imports_no_torch() -> None:
    assert _modules_loaded_by("--no-cache", "--jobs", "1", "--exit-zero", "corpus") == []


def test_one_file_with_cache_imports_no_torch(tmp_path: Path) -> None:
    script = REPO / "corpus" / "nn201_sequential_softmax_bad1.py"
    for _ in range(2):  # the second run answers from the cache
        assert _modules_loaded_by("--exit-zero", str(script), cache_dir=str(tmp_path)) == []
    assert list(tmp_path.rglob("*.json"))
