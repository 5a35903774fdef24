"""The import path nnlint trusts: ``sys.path`` without the current folder that ``python -m`` put there.

Kept apart from :mod:`nnlint.registry` (which loads pluggy and ``importlib.metadata``) so that
``python -m nnlint`` can settle its path before it imports anything else, at no cost to start-up.
"""

from __future__ import annotations

import os
import sys
from typing import List


def installed_path() -> List[str]:
    """``sys.path`` without the current folder where Python put it there implicitly: ``sys.path[0]`` is
    ``''`` or the current folder under ``python -m`` / ``-c`` (not with -P / PYTHONSAFEPATH). A folder the
    user put on the path themselves (PYTHONPATH, a ``.pth`` file) stays."""
    path = list(sys.path)
    if path and not getattr(sys.flags, "safe_path", False) and _is_current_folder(path[0]):
        if not any(_is_current_folder(entry) for entry in path[1:]):
            del path[0]
    return path


def _is_current_folder(entry: str) -> bool:
    try:
        return entry in ("", ".") or os.path.samefile(entry, os.getcwd())
    except OSError:
        return False
