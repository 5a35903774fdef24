"""Glob patterns matched against project-relative paths (``exclude``, ``per-file-ignores``), fast at any count.

A pattern matches a path when it matches the whole path, any trailing part of it (``train.py``,
``scripts/*.py``), any one folder or file name in it, or a folder the path lies in (``legacy`` matches
``legacy/old.py``); ``*`` also crosses ``/``, as :mod:`fnmatch` has it, and ``**/`` stands for any
number of folders, none included, as in ruff (``**/legacy`` matches ``legacy``, ``tests/**/*.py``
matches ``tests/a.py``). A pattern starting with ``./`` is anchored at the project root: it matches
the whole path or a folder it lies in, never a trailing part (``./legacy`` is the top-level
``legacy`` only). Patterns are compiled once: the
ones without wildcards become set look-ups, the others one regular expression per group of patterns
that share their codes, and each path's answer is remembered, so twenty thousand patterns cost what a
few do.
"""

from __future__ import annotations

import os
import re
from typing import Dict, FrozenSet, List, Mapping, Optional, Pattern, Sequence, Set, Tuple

from nnlint.globs import glob_regex

_WILDCARDS = re.compile(r"[*?\[]")
_MEMO_LIMIT = 100_000  # paths remembered before the memo starts afresh


class PathPatterns:
    """Patterns, each with the codes it stands for (none for ``exclude``), compiled once."""

    def __init__(self, patterns: Mapping[str, Sequence[str]]) -> None:
        self._literal: Dict[str, Set[str]] = {}  # normalised pattern -> its codes
        self._anchored: Dict[str, Set[str]] = {}  # ./pattern without wildcards -> its codes
        globs: Dict[Tuple[bool, FrozenSet[str]], List[str]] = {}
        for pattern, codes in patterns.items():
            pattern = os.path.normcase(pattern.rstrip("/"))
            anchored = pattern.startswith("./")
            while pattern.startswith("./"):
                pattern = pattern[2:]
            if _WILDCARDS.search(pattern):
                globs.setdefault((anchored, frozenset(codes)), []).append(pattern)
            else:
                (self._anchored if anchored else self._literal).setdefault(pattern, set()).update(codes)
        # per group: (anchored; matches a path, a trailing part of it or a name in it; matches a folder it lies in)
        self._globs: List[Tuple[bool, FrozenSet[str], Pattern[str], Pattern[str]]] = [
            (anchored, codes, _any_of(members), _any_of([member + "/*" for member in members]))
            for (anchored, codes), members in globs.items()
        ]
        self._memo: Dict[str, Optional[FrozenSet[str]]] = {}

    def __bool__(self) -> bool:
        return bool(self._literal or self._anchored or self._globs)

    def codes_for(self, relative: str) -> Optional[FrozenSet[str]]:
        """The codes of every pattern matching ``relative`` (a ``/``-separated path); None if none matches."""
        if relative in self._memo:
            return self._memo[relative]
        if len(self._memo) >= _MEMO_LIMIT:
            self._memo.clear()
        self._memo[relative] = answer = self._match(os.path.normcase(relative))
        return answer

    def matches(self, relative: str) -> bool:
        return self.codes_for(relative) is not None

    def _match(self, relative: str) -> Optional[FrozenSet[str]]:
        parts = relative.split("/")
        candidates = {"/".join(parts[index:]) for index in range(len(parts))} | set(parts)
        folders = {"/".join(parts[:index]) for index in range(1, len(parts))}
        found: Set[str] = set()
        matched = False
        for text in (candidates | folders) & self._literal.keys():
            found.update(self._literal[text])
            matched = True
        for text in ({relative} | folders) & self._anchored.keys():
            found.update(self._anchored[text])
            matched = True
        for anchored, codes, whole, folder in self._globs:
            if folder.match(relative) or (
                whole.match(relative) if anchored else any(whole.match(text) for text in candidates)
            ):
                found.update(codes)
                matched = True
        return frozenset(found) if matched else None


def _any_of(patterns: Sequence[str]) -> Pattern[str]:
    return re.compile("|".join(f"(?:{glob_regex(pattern)})" for pattern in patterns))
