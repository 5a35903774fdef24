"""Where a project file's imports resolve from, and where the files that may call it live.

A file's module name comes from the chain of packages (``__init__.py``) above it; its imports resolve from
its own folder (scripts), every package folder above it and the root of its package, and, for scripts in a
subfolder that import the repository's top-level packages, up to two folders higher, never past the
repository's root. Part of :mod:`~nnlint.analysis.project`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, List, Optional, Tuple

from nnlint.analysis.prefilter import INSTALLED_PACKAGE_DIRS

_MAX_FOLDERS_UP = 2
_REPOSITORY_MARKERS = (".git", "pyproject.toml", "setup.py", "setup.cfg")
_MAX_SUBFOLDERS = 64  # subfolders of a module's folder searched for scripts that call it


def module_name_for(path: Path) -> Tuple[str, bool]:
    """(dotted module name, is_package) of a file, from the chain of packages (``__init__.py``) above it."""
    path = path.resolve()
    return _module_name_in(path.parent, path.name)


def _module_name_in(directory: Path, name: str, packages: Optional[List[str]] = None) -> Tuple[str, bool]:
    """:func:`module_name_for` of the file ``name`` in the (resolved) folder ``directory``; ``packages``: that
    folder's :func:`_package_chain`, when known."""
    is_package = name == "__init__.py"
    parts = ([] if is_package else [Path(name).stem]) + (_package_chain(directory) if packages is None else packages)
    return ".".join(reversed(parts)), is_package


def _package_chain(directory: Path) -> List[str]:
    """The names of the packages a (resolved) folder is inside of, innermost first (itself first)."""
    parts: List[str] = []
    while (directory / "__init__.py").exists():
        parts.append(directory.name)
        if directory.parent == directory:
            break
        directory = directory.parent
    return parts


def _search_roots(path: Path) -> List[Path]:
    """Where imports of a file are resolved: its own folder (scripts) and the root of its package."""
    return _search_roots_in(path.resolve().parent)


def _search_roots_in(directory: Path) -> List[Path]:
    """:func:`_search_roots` of the files of a (resolved) folder."""
    roots = [directory]
    while (directory / "__init__.py").exists() and directory.parent != directory:
        directory = directory.parent
        # a package folder above the file may itself be where the code's absolute imports start: a checkout
        # with an `__init__.py` at its root (`repo/__init__.py`, `repo/pkg/`) imports `from pkg.x import y`
        if (directory / "__init__.py").exists() and directory not in roots:
            roots.append(directory)
    if directory not in roots and directory.name not in INSTALLED_PACKAGE_DIRS:
        roots.append(directory)
    # Scripts in a subfolder (classify/train.py) that import the repository's top-level packages
    # (`from utils.torch_utils import ...`, with the root put on sys.path at run time): look up to two
    # folders higher, never past the repository's root.
    above = directory
    for _ in range(_MAX_FOLDERS_UP):
        if any((above / marker).exists() for marker in _REPOSITORY_MARKERS) or above.parent == above:
            break
        above = above.parent
        if above.name in INSTALLED_PACKAGE_DIRS:
            break
        if above not in roots:
            roots.append(above)
    return roots


def project_root(path: Path) -> Path:
    """The widest folder a file's imports are resolved in: no model outside it can serve that file directly."""
    return _search_roots(path)[-1]


def _caller_folders(roots: List[Path], subfolders: Callable[[Path], List[Path]]) -> List[Path]:
    """Where the callers of a module's functions may live: where its imports resolve from (``roots``, its
    :func:`_search_roots`), and the folders one level below its own folder and its package's root
    (``LRCN/train.py`` calling ``utils.train_model`` of the repository's top level, run with the root on
    ``sys.path``)."""
    folders = list(roots)
    for root in roots[:2]:
        below = [
            entry
            for entry in subfolders(root)
            if not entry.name.startswith((".", "_")) and entry.name not in INSTALLED_PACKAGE_DIRS
        ]
        for entry in below[:_MAX_SUBFOLDERS]:
            if entry not in folders:
                folders.append(entry)
    return folders
