"""Which paths a ``check`` run starts from: ``.`` when none is given, and the missing ones reported, not fatal."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Sequence

from nnlint.discovery import missing_paths


@dataclass
class GivenPaths:
    """The command line's paths: the ones to lint (``-`` is standard input) and the ones that do not exist."""

    paths: List[str]
    missing: List[str] = field(default_factory=list)

    @property
    def errors(self) -> List[str]:
        """One line per missing path (the run goes on without it and exits 2 at the end)."""
        return [f"no such file or directory: {path}" for path in self.missing]


def given_paths(paths: Sequence[str]) -> GivenPaths:
    """``.`` when no path is given, as ruff does; the paths that do not exist set apart, in order."""
    if not paths:
        return GivenPaths(["."])
    missing = missing_paths(paths)
    return GivenPaths([path for path in paths if path not in missing], missing)
