"""``--jobs N``: lint files in N worker processes; findings come back sorted, as in a serial run.

The parent answers what it can from the cache first (a warm re-run starts no worker at all), then
hands the remaining files to a process pool in *batches*: runs of files of one project, in folder order,
cut at a folder's end once a batch holds about an eighth of a worker's share of the bytes. A file's
analysis builds the models of the project modules it imports, which its neighbours import too: a
worker that lints a folder's files reuses them from its project index, where handing out single files
(biggest first) spread each project over every worker, and each rebuilt them. Batches go out biggest
first, so that no worker is left with a large one at the end. Each worker builds its own Linter
(rules, project index, cache handle) once.
"""

from __future__ import annotations

import gc
import os
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Sequence, Tuple, Type

from nnlint.finding import Finding
from nnlint.run_loop import internal_error

if TYPE_CHECKING:
    from nnlint.engine import Linter

_WORKER: Optional["Linter"] = None
_SERIAL_BELOW = 4  # fewer files than this: a pool costs more than it saves
_BATCHES_PER_WORKER = 8  # enough batches that the last ones even out the workers' loads


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _start_worker(linter_class: Type["Linter"], config, cache_directory, fingerprint, prefilter) -> None:
    """Set up this worker's Linter; its class comes from the parent (no import of the engine here)."""
    global _WORKER
    from nnlint.registry import load_registry

    from nnlint.interrupts import default_signals_in_worker

    default_signals_in_worker()  # Ctrl-C is the parent's to handle: no traceback from every worker
    cache = None
    if cache_directory is not None:
        from nnlint.cache import Cache

        cache = Cache(cache_directory, fingerprint)
    _WORKER = linter_class(config, load_registry(), cache=cache, prefilter=prefilter)
    gc.disable()  # collected when the project index is dropped instead (see Linter.bound_memory)


Result = Tuple[str, List[Finding], Optional[str], List[str]]


def _lint_one(path: str) -> Result:
    assert _WORKER is not None
    try:
        findings = _WORKER.lint_file(path)
    except Exception as error:  # never lose the whole run to one file
        findings = [internal_error(path, error)]
    _WORKER.bound_memory()
    cache_error = _WORKER.cache.error if _WORKER.cache is not None else None
    notes, _WORKER.notes = _WORKER.notes, []
    return path, findings, cache_error, notes


def _lint_batch(paths: Sequence[str]) -> List[Result]:
    return [_lint_one(path) for path in paths]


def batches(files: Sequence[str], root_of: Callable[[str], object], jobs: int) -> List[List[str]]:
    """``files`` (in folder order) as batches for ``jobs`` workers: each a run of one project's files
    (``root_of``), cut at the end of a folder once it holds an eighth of a worker's share of the bytes
    (or twice that within one folder); biggest first."""
    sizes = {path: _size(path) for path in files}
    target = max(1, sum(sizes.values()) // (max(1, jobs) * _BATCHES_PER_WORKER))
    by_project: Dict[object, List[str]] = {}
    for path in files:
        by_project.setdefault(root_of(path), []).append(path)
    found: List[Tuple[int, List[str]]] = []
    for members in by_project.values():
        batch: List[str] = []
        total = 0
        for index, path in enumerate(members):
            batch.append(path)
            total += sizes[path]
            following = members[index + 1] if index + 1 < len(members) else None
            folder_ends = following is None or os.path.dirname(following) != os.path.dirname(path)
            if following is None or (total >= target and folder_ends) or total >= 2 * target:
                found.append((total, batch))
                batch, total = [], 0
    found.sort(key=lambda item: item[0], reverse=True)  # stable: equal sizes keep folder order
    return [batch for _, batch in found]


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def lint_in_parallel(
    linter: "Linter", files: Sequence[str], progress: Optional[Callable[[int, int, str], None]] = None
) -> List[Finding]:
    findings: List[Finding] = []
    done = 0
    pending: List[str] = []
    cache = linter.cache
    for path in files:
        cached = _cached(linter, path)
        if cached is None:
            pending.append(path)
            continue
        findings.extend(cached)
        done += 1
        if progress is not None:
            progress(done, len(files), path)
    if len(pending) < _SERIAL_BELOW or linter.jobs <= 1:
        for path in pending:
            findings.extend(linter.lint_file(path))
            done += 1
            if progress is not None:
                progress(done, len(files), path)
        return sorted(findings, key=Finding.sort_key)
    work = batches(pending, lambda path: _project_root(linter, path), linter.jobs)
    initargs = (
        type(linter),
        linter.config,
        cache.directory if cache is not None and cache.enabled else None,
        cache.fingerprint if cache is not None else None,
        linter.prefilter,
    )
    import multiprocessing  # here: most runs are serial, and its import costs ~15 ms at every start

    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with context.Pool(min(linter.jobs, len(work)), initializer=_start_worker, initargs=initargs) as pool:
        for results in pool.imap_unordered(_lint_batch, work, chunksize=1):
            for path, file_findings, cache_error, notes in results:
                findings.extend(file_findings)
                linter.notes.extend(notes)
                if cache_error and cache is not None and cache.error is None:
                    cache.error = cache_error
                done += 1
                if progress is not None:
                    progress(done, len(files), path)
    return sorted(findings, key=Finding.sort_key)


def _project_root(linter: "Linter", path: str) -> object:
    """The folder a file's imports are resolved in (files of one project share models); the file's own
    folder for a path the index cannot place."""
    from pathlib import Path

    try:
        return linter.project.project_root(Path(path))
    except (OSError, ValueError, RuntimeError):
        return os.path.dirname(os.path.abspath(path))


def _cached(linter: "Linter", path: str) -> Optional[List[Finding]]:
    if linter.cache is None or not linter.cache.enabled:
        return None
    from nnlint.analysis.hashing import content_hash

    try:
        with open(path, "rb") as handle:
            digest = content_hash(handle.read())
    except (OSError, ValueError):
        return None
    return linter.cache.get(path, digest)
