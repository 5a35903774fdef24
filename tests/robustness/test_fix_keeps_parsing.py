"""``--fix`` over the corpus and a sample of torch's sources (on copies) never leaves a file that does not parse."""

from __future__ import annotations

import importlib.util
import random
import shutil
from pathlib import Path
from typing import Dict, List

import pytest

from nnlint.analysis.source import SourceError, decode_source, parse_source, python_syntax_error
from nnlint.autofix import fix_paths
from nnlint.config import Config
from nnlint.engine import Linter

REPO = Path(__file__).resolve().parents[2]


def _parses(path: Path) -> bool:
    try:
        source = decode_source(path.read_bytes())
        parse_source(source)
    except SourceError:
        return False
    return python_syntax_error(source) is None


def _fix_tree(root: Path) -> Dict[str, bool]:
    """Fix every file below root in place; return, per file, whether it parsed before."""
    before = {str(p): _parses(p) for p in root.rglob("*.py")}
    linter = Linter(Config())
    run = fix_paths(linter, [str(root)], write=True)
    broken = [path for path, parsed in before.items() if parsed and not _parses(Path(path))]
    assert broken == [], f"--fix produced files that do not parse: {broken}\n{run.problems}"
    return before


def test_fix_over_the_corpus(tmp_path: Path) -> None:
    copy = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", copy)
    originals = {p: p.read_bytes() for p in copy.rglob("*.py")}
    _fix_tree(copy)
    changed = [p for p, data in originals.items() if p.read_bytes() != data]
    assert changed, "the corpus has fixable findings (NN201), so --fix should have changed some file"


def _torch_sample(count: int) -> List[Path]:
    spec = importlib.util.find_spec("torch")
    if spec is None or not spec.origin:
        pytest.skip("torch is not installed")
    root = Path(spec.origin).parent
    files = sorted(root.rglob("*.py"))
    random.Random(11).shuffle(files)
    return [root] + sorted(files[:count])


def test_fix_over_a_sample_of_torch_sources(tmp_path: Path) -> None:
    root, *files = _torch_sample(40)
    for path in files:
        target = tmp_path / "torch" / path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    for folder in (tmp_path / "torch").rglob("*"):
        if folder.is_dir() and not (folder / "__init__.py").exists():
            (folder / "__init__.py").write_text("")  # keep the package structure the copies came from
    _fix_tree(tmp_path / "torch")
