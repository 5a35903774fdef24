"""``--jobs N`` gives exactly the serial result, sorted, on the whole corpus (cross-file projects included)."""

from __future__ import annotations

from pathlib import Path

from nnlint.config import Config
from nnlint.engine import Linter
from nnlint.finding import Finding
from nnlint.parallel import default_jobs

REPO = Path(__file__).resolve().parents[2]


def _run(jobs: int):
    linter = Linter(Config())
    linter.jobs = jobs
    return linter.lint_paths([str(REPO / "corpus")])


def test_parallel_equals_serial_on_the_corpus() -> None:
    serial = _run(1)
    parallel = _run(max(2, default_jobs()))
    assert [f.to_dict() for f in parallel] == [f.to_dict() for f in serial]
    assert serial and serial == sorted(serial, key=Finding.sort_key)


def test_default_jobs_is_positive() -> None:
    assert default_jobs() >= 1
