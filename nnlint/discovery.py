"""Which files a run lints: the paths given, and the Python files (and notebooks) below the folders given."""

from __future__ import annotations

import os
import stat
from typing import Callable, Iterator, List, Optional, Sequence

from nnlint.gitignore import ignore_for

SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        ".venv",
        "venv",
        ".env",
        "env",
        ".tox",
        ".nox",
        "build",
        "dist",
        "node_modules",
        "site-packages",
        ".eggs",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".nnlint_cache",
        ".ipynb_checkpoints",
        ".hypothesis",
        ".direnv",
        "__pypackages__",
        "_build",
    }
)


def _skip_dir(directory: str, name: str) -> bool:
    """Folders never walked into: tool caches and build output, virtual and conda environments."""
    if name in SKIPPED_DIRS or name.endswith(".egg-info"):
        return True
    path = os.path.join(directory, name)
    return os.path.exists(os.path.join(path, "pyvenv.cfg")) or os.path.isdir(os.path.join(path, "conda-meta"))


def discover(
    paths: Sequence[str],
    is_excluded: Callable[[str], bool],
    notebooks: bool = True,
    skipped: Optional[Callable[[str], None]] = None,
    force_exclude: bool = False,
    respect_gitignore: bool = True,
) -> Iterator[str]:
    """Files to lint, in a stable order. Paths given explicitly are linted unless ``force_exclude`` (then
    excludes apply to them too, as pre-commit needs); found ones honour excludes, ``.gitignore`` files
    (``respect_gitignore``) and ``notebooks=False``, which leaves the ``.ipynb`` files of a folder out.
    Anything that is not a regular file (a FIFO or a device named ``*.py``, which would block or never end) is
    left out, with a
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
        if force_exclude and is_excluded(given):
            continue
        if os.path.isdir(given):
            ignores = {os.path.abspath(given): ignore_for(given)} if respect_gitignore else {}
            for root, dirs, files in os.walk(given, followlinks=False):
                ignore = ignores.pop(os.path.abspath(root), None)
                if ignore is not None:
                    ignore = (
                        ignore.child(os.path.abspath(root))
                        if os.path.abspath(root) != os.path.abspath(given)
                        else ignore
                    )
                dirs[:] = sorted(
                    d
                    for d in dirs
                    if not _skip_dir(root, d)
                    and not is_excluded(os.path.join(root, d))
                    and not (ignore is not None and ignore.ignores(os.path.abspath(os.path.join(root, d)), True))
                )
                if ignore is not None:
                    ignores.update({os.path.abspath(os.path.join(root, d)): ignore for d in dirs})
                for name in sorted(files):
                    if not name.endswith(suffixes):
                        continue
                    path = os.path.normpath(os.path.join(root, name))
                    if ignore is not None and ignore.ignores(os.path.abspath(path), False):
                        continue
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
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
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
