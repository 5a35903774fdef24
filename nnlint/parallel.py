"""``--jobs N``: lint files in N worker processes; findings come back sorted, as in a serial run.

The parent answers what it can from the cache first (a warm re-run starts no worker at all), then
hands the remaining files to a process pool, biggest first so that no worker is left with a huge
file at the end. Each worker builds its own Linter (rules, project index, cache handle) once.
"""

from __future__ import annotations

import gc
import os
from typing import TYPE_CHECKING, Callable, List, Optional, Sequence, Tuple, Type

from nnlint.finding import Finding
from nnlint.run_loop import internal_error

if TYPE_CHECKING:
    from nnlint.engine import Linter

_WORKER: Optional["Linter"] = None
_SERIAL_BELOW = 4  # fewer files than this: a pool costs more than it saves


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


def _lint_one(path: str) -> Tuple[str, List[Finding], Optional[str], List[str]]:
    assert _WORKER is not None
    try:
        findings = _WORKER.lint_file(path)
    except Exception as error:  # never lose the whole run to one file
        findings = [internal_error(path, error)]
    _WORKER.bound_memory()
    cache_error = _WORKER.cache.error if _WORKER.cache is not None else None
    notes, _WORKER.notes = _WORKER.notes, []
    return path, findings, cache_error, notes


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
    pending.sort(key=_size, reverse=True)
    initargs = (
        type(linter),
        linter.config,
        cache.directory if cache is not None and cache.enabled else None,
        cache.fingerprint if cache is not None else None,
        linter.prefilter,
    )
    import multiprocessing  # here: most runs are serial, and its import costs ~15 ms at every start

    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with context.Pool(min(linter.jobs, len(pending)), initializer=_start_worker, initargs=initargs) as pool:
        for path, file_findings, cache_error, notes in pool.imap_unordered(_lint_one, pending, chunksize=1):
            findings.extend(file_findings)
            linter.notes.extend(notes)
            if cache_error and cache is not None and cache.error is None:
                cache.error = cache_error
            done += 1
            if progress is not None:
                progress(done, len(files), path)
    return sorted(findings, key=Finding.sort_key)


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
