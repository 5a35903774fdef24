"""Which stack frames belong to the user's code (child side; no torch import needed)."""

from __future__ import annotations

import os
import sys
import sysconfig
from types import CodeType, FrameType
from typing import Dict, List, Optional, Tuple

Where = List[Tuple[str, int, str]]  # (absolute path, line, function), innermost first


def _library_prefixes() -> Tuple[str, ...]:
    prefixes = set()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        path = sysconfig.get_paths().get(key)
        if path:
            prefixes.add(os.path.realpath(path) + os.sep)
    for path in sys.path:
        if path.endswith(("site-packages", "dist-packages")):
            prefixes.add(os.path.realpath(path) + os.sep)
    prefixes.add(os.path.realpath(os.path.dirname(__file__)) + os.sep)  # nnlint's own harness
    prefixes.update(_installed_package_dirs(sys.path))
    return tuple(sorted(prefixes))


def _installed_package_dirs(entries: List[str]) -> List[str]:
    """The folders of packages installed from wheels into any import folder (``pip install --target DIR``
    on PYTHONPATH, a vendored ``.deps``): each ``*.dist-info`` names its top-level modules, which are library
    code wherever they lie. A source tree's own ``*.egg-info`` (``setup.py develop``) is the user's project and
    stays user code."""
    found: List[str] = []
    for entry in entries:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        base = os.path.realpath(entry or ".")
        for name in names:
            if name.endswith(".dist-info"):
                found.extend(os.path.join(base, top) for top in _top_level(os.path.join(base, name)))
    return [path + os.sep if os.path.isdir(path) else path for path in found if os.path.exists(path)]


_NOT_MODULES = (".dist-info", ".data", ".pth")


def _top_level(dist_info: str) -> List[str]:
    """A wheel's top-level modules: ``top_level.txt`` when present, else the first parts of ``RECORD``."""
    try:
        with open(os.path.join(dist_info, "top_level.txt"), encoding="utf-8") as handle:
            tops = {line.strip() for line in handle if line.strip()}
        return sorted(tops | {top + ".py" for top in tops})
    except OSError:
        pass
    tops = set()
    try:
        with open(os.path.join(dist_info, "RECORD"), encoding="utf-8") as handle:
            for line in handle:
                first = line.split(",", 1)[0].replace("\\", "/").split("/", 1)[0]
                if first and not first.startswith(("..", "__pycache__")) and not first.endswith(_NOT_MODULES):
                    tops.add(first)
    except OSError:
        return []
    return sorted(tops)


class UserFrames:
    """Classifies code objects once (cached) and walks the stack for the user's frames."""

    def __init__(self, extra_library_dirs: Tuple[str, ...] = ()) -> None:
        self._prefixes = _library_prefixes() + tuple(os.path.realpath(d) + os.sep for d in extra_library_dirs)
        self._is_user: Dict[str, Optional[str]] = {}

    def path_of(self, code: CodeType) -> Optional[str]:
        """The code's absolute path if it is user code, else None."""
        filename = code.co_filename
        try:  # by file name: equal code objects of two files compare equal
            return self._is_user[filename]
        except KeyError:
            pass
        path: Optional[str] = None
        if filename and not filename.startswith("<"):
            real = os.path.realpath(filename)
            if not real.startswith(self._prefixes):
                path = real
        self._is_user[filename] = path
        return path

    def where(self, frame: Optional[FrameType] = None, limit: int = 6) -> Where:
        frame = frame if frame is not None else sys._getframe(1)
        found: Where = []
        while frame is not None and len(found) < limit:
            path = self.path_of(frame.f_code)
            if path is not None:
                found.append((path, frame.f_lineno, frame.f_code.co_name))
            frame = frame.f_back
        return found


def traceback_frames(tb, user_frames: UserFrames, limit: int = 5) -> List[Dict[str, object]]:
    """The last frames of a traceback, user frames marked; innermost last (as Python prints them)."""
    import linecache

    frames: List[Dict[str, object]] = []
    while tb is not None:
        code = tb.tb_frame.f_code
        frames.append(
            {
                "path": os.path.realpath(code.co_filename)
                if not code.co_filename.startswith("<")
                else code.co_filename,
                "line": tb.tb_lineno,
                "function": code.co_name,
                "text": linecache.getline(code.co_filename, tb.tb_lineno).strip(),
                "user": user_frames.path_of(code) is not None,
            }
        )
        tb = tb.tb_next
    # skip the harness's own frames at the outside (runpy and us)
    while frames and not frames[0]["user"] and len(frames) > 1 and any(f["user"] for f in frames):
        frames.pop(0)
    return frames[-limit:]
