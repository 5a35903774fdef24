"""Glob patterns to regular expressions, with ``**`` as ruff and git read it.

``**/`` at the start or after a ``/`` matches any number of folders, none included (``**/legacy``
matches ``legacy``, ``tests/**/*.py`` matches ``tests/a.py``); ``/**`` at the end matches everything
inside. Otherwise ``*`` and ``?`` either cross ``/`` (``fnmatch``'s reading, kept for ``exclude`` and
``per-file-ignores``) or stop at it (git's, for ``.gitignore``), and ``[...]`` is a character class
(``[!...]`` its complement).
"""

from __future__ import annotations

import re
from typing import Optional


def glob_regex(pattern: str, star_crosses_slash: bool = True, escapes: bool = False) -> str:
    """The regular expression (for ``re.match``: it ends with ``\\Z``) that matches what ``pattern`` does.
    ``escapes``: a backslash quotes the next character (git's reading)."""
    run = ".*" if star_crosses_slash else "[^/]*"
    one = "." if star_crosses_slash else "[^/]"
    out = []
    index, size = 0, len(pattern)
    while index < size:
        char = pattern[index]
        at_segment_start = index == 0 or pattern[index - 1] == "/"
        if at_segment_start and pattern.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
        elif at_segment_start and pattern.startswith("**", index) and index + 2 == size:
            out.append(".*")
            index += 2
        elif char == "*":
            while index < size and pattern[index] == "*":
                index += 1
            out.append(run)
        elif char == "?":
            out.append(one)
            index += 1
        elif char == "[":
            end = _class_end(pattern, index)
            if end is None:
                out.append(re.escape(char))
                index += 1
                continue
            body = pattern[index + 1 : end]
            negated = body[:1] in ("!", "^") and len(body) > 1
            if negated:
                body = body[1:]
            body = body.replace("\\", "\\\\") if not escapes else body
            out.append(f"[{'^' if negated else ''}{body}]")
            index = end + 1
        elif char == "\\" and escapes and index + 1 < size:
            out.append(re.escape(pattern[index + 1]))
            index += 2
        else:
            out.append(re.escape(char))
            index += 1
    return f"(?s:{''.join(out)})\\Z"


def _class_end(pattern: str, start: int) -> Optional[int]:
    """Index of the ``]`` closing the class opened at ``start``, or None when it is not closed."""
    index = start + 1
    if index < len(pattern) and pattern[index] in "!^":
        index += 1
    if index < len(pattern) and pattern[index] == "]":
        index += 1  # a leading ] is a member
    while index < len(pattern) and pattern[index] != "]":
        index += 1
    return index if index < len(pattern) else None
