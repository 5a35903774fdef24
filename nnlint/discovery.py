"""Which files a run lints: the paths given, and the Python files (and notebooks) below the folders given."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterator, List, Sequence

SKIPPED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", "__pycache__", ".venv", "venv", ".env", "env", ".tox", ".nox", "build",
        "dist", "node_modules", "site-packages", ".eggs", ".mypy_cache", ".pytest_cache", ".ruff_cache",
        ".nnlint_cache", ".ipynb_checkpoints", ".hypothesis",
    }
)


def _skip_dir(directory: str, name: str) -> bool:
    return name in SKIPPED_DIRS or name.endswith(".egg-info") or os.path.exists(os.path.join(directory, name, "pyvenv.cfg"))


def discover(paths: Sequence[str], is_excluded: Callable[[str], bool], notebooks: bool = True) -> Iterator[str]:
    """Files to lint, in a stable order. Paths given explicitly are always linted; found ones honour excludes
    (and ``notebooks=False``, which leaves the ``.ipynb`` files of a folder out)."""
    suffixes = (".py", ".ipynb") if notebooks else (".py",)
    seen: set = set()
    for given in paths:
        if os.path.isdir(given):
            for root, dirs, files in os.walk(given, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not _skip_dir(root, d) and not is_excluded(os.path.join(root, d)))
                for name in sorted(files):
                    if not name.endswith(suffixes):
                        continue
                    path = os.path.normpath(os.path.join(root, name))
                    if is_excluded(path) or path in seen:
                        continue
                    seen.add(path)
                    yield path
        elif given not in seen:
            seen.add(given)
            yield given


def missing_paths(paths: Sequence[str]) -> List[str]:
    return [p for p in paths if p != "-" and not os.path.exists(p) and not os.path.islink(p)]
