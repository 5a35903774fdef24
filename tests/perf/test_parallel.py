"""``--jobs N`` gives exactly the serial result, sorted, on the whole corpus (cross-file projects included)."""

from __future__ import annotations

from pathlib import Path

from nnlint.config import Config
from nnlint.engine import Linter
from nnlint.finding import Finding
from nnlint.parallel import batches, default_jobs

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


def test_batches_keep_a_projects_folders_together_biggest_first(tmp_path: Path) -> None:
    # 180 bytes for one worker: a batch is cut at the end of a folder once it holds 22 (180 // 8)
    files = []
    for project, folders in (("big", [f"f{n}" for n in range(8)]), ("small", ["g"])):
        for folder in folders:
            for index in range(2):
                path = tmp_path / project / folder / f"m{index}.py"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text("x = 1\n" + "#" * 3)  # 10 bytes
                files.append(str(path))
    found = batches(files, lambda path: Path(path).relative_to(tmp_path).parts[0], jobs=1)
    assert sorted(path for batch in found for path in batch) == sorted(files)  # each file exactly once
    projects = [{Path(path).relative_to(tmp_path).parts[0] for path in batch} for batch in found]
    assert projects == [{"big"}] * 4 + [{"small"}]  # biggest first; never two projects in one batch
    for batch in found:
        assert batch == [path for path in files if path in batch]  # in folder order
    assert [sorted({Path(path).parent.name for path in batch}) for batch in found[:4]] == [
        ["f0", "f1"],
        ["f2", "f3"],
        ["f4", "f5"],
        ["f6", "f7"],
    ]  # whole folders, two to a batch
