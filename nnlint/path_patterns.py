"""Glob patterns matched against project-relative paths (``exclude``, ``per-file-ignores``), fast at any count.

A pattern matches a path when it matches the whole path, any trailing part of it (``train.py``,
``scripts/*.py``), any one folder or file name in it, or a folder the path lies in (``legacy`` matches
``legacy/old.py``); ``*`` also crosses ``/``, as :mod:`fnmatch` has it. Patterns are compiled once: the
ones without wildcards become set look-ups, the others one regular expression per group of patterns
that share their codes, and each path's answer is remembered, so twenty thousand patterns cost what a
few do.
"""
from __future__ import annotations

import fnmatch
import os
import re
from typing import Dict, FrozenSet, List, Mapping, Optional, Pattern, Sequence, Set, Tuple

_WILDCARDS = re.compile(r"[*?\[]")
_MEMO_LIMIT = 100_000  # paths remembered before the memo starts afresh


class PathPatterns:
    """Patterns, each with the codes it stands for (none for ``exclude``), compiled once."""

    def __init__(self, patterns: Mapping[str, Sequence[str]]) -> None:
        self._literal: Dict[str, Set[str]] = {}  # normalised pattern -> its codes
        globs: Dict[FrozenSet[str], List[str]] = {}
        for pattern, codes in patterns.items():
            pattern = os.path.normcase(pattern.rstrip("/"))
            if _WILDCARDS.search(pattern):
                globs.setdefault(frozenset(codes), []).append(pattern)
            else:
                self._literal.setdefault(pattern, set()).update(codes)
        # per group: (matches a path, a trailing part of it or a name in it; matches a folder it lies in)
        self._globs: List[Tuple[FrozenSet[str], Pattern[str], Pattern[str]]] = [
            (codes, _any_of(members), _any_of([member + "/*" for member in members])) for codes, members in globs.items()
        ]
        self._memo: Dict[str, Optional[FrozenSet[str]]] = {}

    def __bool__(self) -> bool:
        return bool(self._literal or self._globs)

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
        for codes, whole, folder in self._globs:
            if folder.match(relative) or any(whole.match(text) for text in candidates):
                found.update(codes)
                matched = True
        return frozenset(found) if matched else None


def _any_of(patterns: Sequence[str]) -> Pattern[str]:
    return re.compile("|".join(f"(?:{fnmatch.translate(pattern)})" for pattern in patterns))
