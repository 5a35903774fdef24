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
    return tuple(sorted(prefixes))


class UserFrames:
    """Classifies code objects once (cached) and walks the stack for the user's frames."""

    def __init__(self, extra_library_dirs: Tuple[str, ...] = ()) -> None:
        self._prefixes = _library_prefixes() + tuple(os.path.realpath(d) + os.sep for d in extra_library_dirs)
        self._is_user: Dict[CodeType, Optional[str]] = {}

    def path_of(self, code: CodeType) -> Optional[str]:
        """The code's absolute path if it is user code, else None."""
        try:
            return self._is_user[code]
        except KeyError:
            pass
        filename = code.co_filename
        path: Optional[str] = None
        if filename and not filename.startswith("<"):
            real = os.path.realpath(filename)
            if not real.startswith(self._prefixes):
                path = real
        self._is_user[code] = path
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
