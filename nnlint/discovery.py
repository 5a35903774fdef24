"""Which files a run lints: the paths given, and the Python files (and notebooks) below the folders given."""

from __future__ import annotations

import os
import stat
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

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


def files_to_lint(paths: Sequence[str], config: Any, skipped: Optional[Callable[[str], None]] = None) -> List[str]:
    """The files a run with ``config`` lints below ``paths``, in order: :func:`discover` with the
    configuration's excludes, ``notebooks``, ``force-exclude`` and ``respect-gitignore``."""
    return list(
        discover(
            paths,
            config.is_excluded,
            notebooks=config.notebooks,
            skipped=skipped,
            force_exclude=config.force_exclude,
            respect_gitignore=config.respect_gitignore,
        )
    )


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
    real_folders: Dict[str, str] = {}  # folder of a file named on the command line -> its real path

    def real_folder_of(path: str) -> str:
        folder = os.path.dirname(path) or "."
        if folder not in real_folders:
            real_folders[folder] = _real_folder(folder)
        return real_folders[folder]

    def wanted(path: str, real_folder: Optional[str] = None) -> bool:
        key, mode = _identity_and_mode(path, real_folder)
        if key in seen:
            return False
        seen.add(key)
        why = not_a_regular_file(path, mode)
        if why is not None and skipped is not None:
            skipped(skipped_note(path, why))
        return why is None

    for given in paths:
        if force_exclude and is_excluded(given):
            continue
        if os.path.isdir(given):
            ignores = {os.path.abspath(given): ignore_for(given)} if respect_gitignore else {}
            given_absolute = os.path.abspath(given)
            for root, dirs, files in os.walk(given, followlinks=False):
                absolute = os.path.abspath(root)
                ignore = ignores.pop(absolute, None)
                if ignore is not None:
                    ignore = ignore.child(absolute) if absolute != given_absolute else ignore
                dirs[:] = sorted(
                    d
                    for d in dirs
                    if not _skip_dir(root, d)
                    and not is_excluded(os.path.join(root, d))
                    and not (ignore is not None and ignore.ignores(os.path.join(absolute, d), True))
                )
                if ignore is not None:
                    ignores.update({os.path.join(absolute, d): ignore for d in dirs})
                real_folder: Optional[str] = None
                for name in sorted(files):
                    if not name.endswith(suffixes):
                        continue
                    path = os.path.normpath(os.path.join(root, name))
                    if ignore is not None and ignore.ignores(os.path.join(absolute, name), False):
                        continue
                    if is_excluded(path):
                        continue
                    if real_folder is None:
                        real_folder = _real_folder(root)
                    if wanted(path, real_folder):
                        yield path
        elif wanted(given, real_folder_of(given)):
            yield given


def _identity(path: str) -> str:
    """One key per file however it is spelt: the real path (symlinks resolved), case-folded where the system does."""
    try:
        return os.path.normcase(os.path.realpath(path))
    except (OSError, ValueError):
        return os.path.normcase(os.path.abspath(path))


def _real_folder(folder: str) -> str:
    try:
        return os.path.realpath(folder)
    except (OSError, ValueError):
        return ""


def _identity_and_mode(path: str, real_folder: Optional[str]) -> Tuple[str, Optional[int]]:
    """:func:`_identity` of ``path``, and its mode when one ``lstat`` gave both: a file found in a folder
    whose real path is ``real_folder`` is that folder's entry unless it is itself a symbolic link (the
    real path of each file costs a ``lstat`` per component of its path, the walk's largest cost)."""
    if real_folder:
        try:
            mode = os.lstat(path).st_mode
        except (OSError, ValueError):
            mode = None
        if mode is not None and not stat.S_ISLNK(mode):
            return os.path.normcase(os.path.join(real_folder, os.path.basename(path))), mode
    return _identity(path), None


_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


def not_a_regular_file(path: str, mode: Optional[int] = None) -> Optional[str]:
    """Why ``path`` is not read as a file (``not a regular file: a named pipe (FIFO)``), or None for a
    regular file, or for one that cannot be examined (reading it then reports why). ``mode``: its
    ``st_mode``, where the caller has it already."""
    if mode is None:
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
