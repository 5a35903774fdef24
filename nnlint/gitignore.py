"""``.gitignore`` files, read as git reads them, so that a folder walk skips what git ignores.

Rules: blank lines and ``#`` comments are skipped; ``!`` re-includes; a trailing ``/`` matches folders
only; a pattern with a ``/`` before its end is anchored at the folder of its ``.gitignore``, one
without matches a name at any depth; ``*`` and ``?`` stop at ``/``, ``**`` crosses folders; a
backslash quotes the next character. Later rules win over earlier ones, a deeper ``.gitignore`` over
a shallower one, and nothing inside an ignored folder is looked at (git cannot re-include it either).
The files read are every ``.gitignore`` from the repository's top (the folder holding ``.git``) down to
the folder walked, and ``.git/info/exclude``; no global git configuration is consulted.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import List, Optional, Pattern, Sequence, Tuple

from nnlint.globs import glob_regex

MAX_IGNORE_FILE = 1_000_000  # bytes: past this a .gitignore is not read


@dataclass(frozen=True)
class _Rule:
    base: str  # the folder of the file the rule came from (absolute)
    regex: Pattern[str]
    negated: bool
    folders_only: bool
    anchored: bool


def parse_rules(text: str, base: str) -> List[_Rule]:
    """The rules of one ignore file whose patterns are relative to the folder ``base``."""
    rules = []
    for raw in text.splitlines():
        line = _strip_trailing_spaces(raw)
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        if negated:
            line = line[1:]
        elif line.startswith("\\!") or line.startswith("\\#"):
            line = line[1:]
        folders_only = line.endswith("/")
        line = line.rstrip("/")
        if not line:
            continue
        anchored = "/" in line
        line = line.lstrip("/")
        try:
            regex = re.compile(glob_regex(line, star_crosses_slash=False, escapes=True))
        except re.error:
            continue  # git skips a pattern it cannot read; so does nnlint
        rules.append(_Rule(base, regex, negated, folders_only, anchored))
    return rules


def _strip_trailing_spaces(line: str) -> str:
    stripped = line.rstrip(" ")
    if stripped.endswith("\\") and len(stripped) < len(line):
        return stripped + " "  # "\ " keeps one space
    return stripped


class GitIgnore:
    """The rules that apply in one folder: its parents' and its own. ``child(folder)`` adds a folder's file."""

    def __init__(self, rules: Sequence[_Rule] = ()) -> None:
        self.rules: Tuple[_Rule, ...] = tuple(rules)

    def child(self, folder: str) -> "GitIgnore":
        own = read_rules(os.path.join(folder, ".gitignore"), folder)
        return GitIgnore(self.rules + tuple(own)) if own else self

    def ignores(self, path: str, is_folder: bool) -> bool:
        """Whether git ignores ``path`` (absolute), given that no folder above it is ignored."""
        ignored = False
        name = os.path.basename(path)
        for rule in self.rules:
            if rule.folders_only and not is_folder:
                continue
            prefix = rule.base if rule.base.endswith(os.sep) else rule.base + os.sep
            if not path.startswith(prefix):
                continue
            relative = path[len(prefix) :].replace(os.sep, "/")
            if rule.regex.match(relative if rule.anchored else name):
                ignored = not rule.negated
        return ignored


def read_rules(path: str, base: str) -> List[_Rule]:
    """The rules of the ignore file at ``path``; none when it is absent, unreadable or too large."""
    try:
        if not os.path.isfile(path) or os.path.getsize(path) > MAX_IGNORE_FILE:
            return []
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return []
    return parse_rules(text, base)


def repository_top(folder: str) -> Optional[str]:
    """The nearest folder at or above ``folder`` that holds ``.git`` (a folder, or a worktree's file)."""
    current = os.path.abspath(folder)
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def ignore_for(folder: str) -> GitIgnore:
    """What git ignores inside ``folder`` (absolute): the ``.gitignore`` files from the repository's top
    down to it and the repository's ``.git/info/exclude``; outside a repository, the folder's own file."""
    folder = os.path.abspath(folder)
    top = repository_top(folder)
    chain = [folder]
    if top is not None:
        while chain[-1] != top:
            chain.append(os.path.dirname(chain[-1]))
    ignore = GitIgnore(read_rules(os.path.join(top, ".git", "info", "exclude"), top) if top is not None else ())
    for directory in reversed(chain):
        ignore = ignore.child(directory)
    return ignore
