"""nnlint over large trees of real Python: no rule crash (NN002) and no exception.

By default fixed samples (4 MB of torch, 1.5 MB of the standard library analysed in full) keep this
within a few minutes on two cores:
the training-heavy parts of torch (``torch/nn``, ``torch/optim``, ``torch/utils/data``) in full plus a
seeded random sample of the rest, and a seeded sample of the standard library analysed with the
training-code filter switched off (otherwise the filter would skip nearly all of it), plus the
whole standard library through the normal filter. ``NNLINT_FULL_TREES=1`` lints every file of both trees.
"""

from __future__ import annotations

import importlib.util
import os
import random
import sysconfig
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

from nnlint.config import Config
from nnlint.engine import Linter
from nnlint.parallel import default_jobs

FULL = os.environ.get("NNLINT_FULL_TREES") == "1"
BUDGET = 4_000_000  # bytes of source per tree
BUDGET_EVERYTHING = 1_500_000  # stdlib with the filter off: every file parsed, modelled and checked
SEED = 7


def _python_files(root: Path) -> List[Path]:
    found: List[Path] = []
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in ("__pycache__", "site-packages"))
        found.extend(Path(directory, name) for name in sorted(files) if name.endswith(".py"))
    return found


def _sample(files: List[Path], budget: int, always: Tuple[str, ...] = ()) -> List[Path]:
    chosen = [p for p in files if any(part in p.as_posix() for part in always)]
    total = sum(p.stat().st_size for p in chosen)
    taken = set(chosen)
    rest = [p for p in files if p not in taken]
    random.Random(SEED).shuffle(rest)
    for path in rest:
        size = path.stat().st_size
        if total + size <= budget:
            chosen.append(path)
            total += size
    return sorted(chosen)


class _AnalyseEverything:
    """Stands in for the training-code filter: every file goes through the parse, the model and the rules."""

    def may_be_training_code(self, data: bytes, path: str) -> Tuple[bool, Dict[str, Optional[str]]]:
        return True, {}


def _crashes(files: List[Path], analyse_everything: bool = False) -> List[str]:
    linter = Linter(Config())
    linter.jobs = default_jobs()
    if analyse_everything:
        linter.prefilter = _AnalyseEverything()  # type: ignore[assignment]
    findings = linter.lint_paths([str(p) for p in files])
    return [f"{f.path}: {f.message}" for f in findings if f.code == "NN002"]


def _torch_root() -> Optional[Path]:
    spec = importlib.util.find_spec("torch")
    return Path(spec.origin).parent if spec is not None and spec.origin else None


@pytest.mark.skipif(_torch_root() is None, reason="torch is not installed")
def test_torch_sources() -> None:
    files = _python_files(_torch_root())
    if not FULL:
        files = _sample(files, BUDGET, always=("/torch/nn/", "/torch/optim/", "/torch/utils/data/"))
    assert files
    assert _crashes(files) == []


def test_standard_library_analysed_in_full_detail() -> None:
    files = _python_files(Path(sysconfig.get_paths()["stdlib"]))
    if not FULL:
        files = _sample(files, BUDGET_EVERYTHING)
    assert _crashes(files, analyse_everything=True) == []


def test_whole_standard_library_through_the_filter() -> None:
    files = _python_files(Path(sysconfig.get_paths()["stdlib"]))
    assert len(files) > 500
    assert _crashes(files) == []
