"""What nnlint shows only on a terminal: colour and a progress line on stderr for large trees."""

from __future__ import annotations

import os
import time
from typing import IO, Optional

MIN_FILES_FOR_PROGRESS = 20  # below this a run is over before a progress line would help
REDRAW_INTERVAL_S = 0.1


def _is_terminal(stream: Optional[IO[str]]) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real stream
        return False


def use_color(choice: str, stream: Optional[IO[str]]) -> bool:
    """``--color auto`` means: the report goes to a terminal and NO_COLOR is not set (FORCE_COLOR forces it)."""
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return _is_terminal(stream) and os.environ.get("TERM") != "dumb"


class Progress:
    """One self-overwriting ``nnlint: [ 12/345] path`` line on a terminal stream; silent anywhere else.

    Called as ``progress(done, total, path)`` after each file; ``close()`` erases the line so the
    report that follows starts on a clean line.
    """

    def __init__(self, stream: Optional[IO[str]], min_files: int = MIN_FILES_FOR_PROGRESS) -> None:
        self.stream = stream
        self.min_files = min_files
        self.active = _is_terminal(stream) and os.environ.get("TERM") != "dumb"
        self.shown = False
        self._last_draw = 0.0

    def __call__(self, done: int, total: int, path: str) -> None:
        if not self.active or total < self.min_files or self.stream is None:
            return
        now = time.monotonic()
        if done < total and now - self._last_draw < REDRAW_INTERVAL_S:
            return
        self._last_draw = now
        width = len(str(total))
        line = f"nnlint: [{done:>{width}}/{total}] {path}"
        columns = _columns()
        if len(line) > columns - 1:
            line = line[: columns - 2] + "…"
        self.stream.write("\r\x1b[K" + line)
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown and self.stream is not None:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False


def _columns() -> int:
    try:
        return os.get_terminal_size(2).columns
    except OSError:
        return 80
