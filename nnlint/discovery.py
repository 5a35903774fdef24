"""Which files a run lints: the paths given, and the Python files (and notebooks) below the folders given."""
from __future__ import annotations

import os
import stat
from typing import Callable, Iterator, List, Optional, Sequence

SKIPPED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", "__pycache__", ".venv", "venv", ".env", "env", ".tox", ".nox", "build",
        "dist", "node_modules", "site-packages", ".eggs", ".mypy_cache", ".pytest_cache", ".ruff_cache",
        ".nnlint_cache", ".ipynb_checkpoints", ".hypothesis",
    }
)


def _skip_dir(directory: str, name: str) -> bool:
    return name in SKIPPED_DIRS or name.endswith(".egg-info") or os.path.exists(os.path.join(directory, name, "pyvenv.cfg"))


def discover(
    paths: Sequence[str], is_excluded: Callable[[str], bool], notebooks: bool = True,
    skipped: Optional[Callable[[str], None]] = None,
) -> Iterator[str]:
    """Files to lint, in a stable order. Paths given explicitly are always linted; found ones honour excludes
    (and ``notebooks=False``, which leaves the ``.ipynb`` files of a folder out). Anything that is not a
    regular file (a FIFO or a device named ``*.py``, which would block or never end) is left out, with a
    note passed to ``skipped``. A file reached twice (``a.py`` and ``./a.py``, an absolute path, a symlink to
    it, or a folder and a file in it) is linted once, under the first spelling met."""
    suffixes = (".py", ".ipynb") if notebooks else (".py",)
    seen: set = set()

    def wanted(path: str) -> bool:
        key = _identity(path)
        if key in seen:
            return False
        seen.add(key)
        why = not_a_regular_file(path)
        if why is not None and skipped is not None:
            skipped(skipped_note(path, why))
        return why is None

    for given in paths:
        if os.path.isdir(given):
            for root, dirs, files in os.walk(given, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not _skip_dir(root, d) and not is_excluded(os.path.join(root, d)))
                for name in sorted(files):
                    if not name.endswith(suffixes):
                        continue
                    path = os.path.normpath(os.path.join(root, name))
                    if not is_excluded(path) and wanted(path):
                        yield path
        elif wanted(given):
            yield given


def _identity(path: str) -> str:
    """One key per file however it is spelt: the real path (symlinks resolved), case-folded where the system does."""
    try:
        return os.path.normcase(os.path.realpath(path))
    except (OSError, ValueError):
        return os.path.normcase(os.path.abspath(path))


_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"),
)


def not_a_regular_file(path: str) -> Optional[str]:
    """Why ``path`` is not read as a file (``not a regular file: a named pipe (FIFO)``), or None for a
    regular file, or for one that cannot be examined (reading it then reports why)."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "a special file")
    return f"not a regular file: {kind}"


def skipped_note(path: str, why: str) -> str:
    return f"{path}: skipped: {why}"


def missing_paths(paths: Sequence[str]) -> List[str]:
    return [p for p in paths if p != "-" and not os.path.exists(p) and not os.path.islink(p)]
