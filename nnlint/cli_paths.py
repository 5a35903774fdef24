"""Which paths a ``check`` run lints: ``.`` when none is given, the missing ones reported (not fatal), and the
command-line options on excludes and ``.gitignore``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, List, Optional, Sequence

import click

from nnlint.config import Config
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


def path_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options that decide which files a run lints (``--exclude`` ... ``--no-respect-gitignore``)."""
    decorators = [
        click.option(
            "--exclude",
            "exclude",
            multiple=True,
            help="Patterns to leave out, comma-separated (replace the configured `exclude`).",
        ),
        click.option(
            "--extend-exclude",
            multiple=True,
            help="Patterns to leave out on top of the configured ones, comma-separated.",
        ),
        click.option(
            "--force-exclude",
            is_flag=True,
            default=None,
            help="Apply the excludes to paths named on the command line too (as pre-commit needs).",
        ),
        click.option(
            "--respect-gitignore/--no-respect-gitignore",
            default=None,
            help="Skip what .gitignore files ignore in folder walks (default: on).",
        ),
    ]
    for decorate in reversed(decorators):
        command = decorate(command)
    return command


def apply_path_options(
    config: Config,
    exclude: Sequence[str],
    extend_exclude: Sequence[str],
    force_exclude: Optional[bool],
    respect_gitignore: Optional[bool],
) -> None:
    """The command line's path options over the configuration's (the command line wins)."""
    if exclude:
        config.exclude = _split_patterns(exclude)
    config.extend_exclude.extend(_split_patterns(extend_exclude))
    if force_exclude:
        config.force_exclude = True
    if respect_gitignore is not None:
        config.respect_gitignore = respect_gitignore


def _split_patterns(values: Sequence[str]) -> List[str]:
    return [item.strip() for value in values for item in value.split(",") if item.strip()]
