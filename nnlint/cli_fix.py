"""Fix tiers on the command line, as in ruff: ``--unsafe-fixes``, ``--fix-only``, ``--exit-non-zero-on-fix``,
``--show-fixes``; the ``[*]`` marker on fixable findings and the closing ``Found N findings (M fixable)``."""

from __future__ import annotations

from typing import Any, Callable, List, Optional, Sequence

import click

from nnlint.config import Config
from nnlint.finding import Finding


def fix_options(command: Callable[..., Any]) -> Callable[..., Any]:
    decorators = [
        click.option(
            "--unsafe-fixes/--no-unsafe-fixes",
            default=None,
            help="Also apply (or show as fixable) the fixes not marked safe; review them.",
        ),
        click.option(
            "--fix-only",
            is_flag=True,
            help="Apply the fixes, report nothing of what is left (exit 0 unless --exit-non-zero-on-fix).",
        ),
        click.option(
            "--exit-non-zero-on-fix",
            is_flag=True,
            help="With --fix: exit 1 when anything was fixed, even if nothing is left.",
        ),
        click.option(
            "--show-fixes",
            is_flag=True,
            help="List each fix --fix applied; mark fixable findings [*] and count them, terminal or not.",
        ),
    ]
    for decorate in reversed(decorators):
        command = decorate(command)
    return command


def apply_fix_options(config: Config, unsafe_fixes: Optional[bool]) -> None:
    if unsafe_fixes is not None:
        config.unsafe_fixes = unsafe_fixes


def applied_lines(applied: Sequence[Finding]) -> List[str]:
    """``--show-fixes`` after ``--fix``: one line per fix applied."""
    return [f"fixed {f.path}:{f.line}:{f.column}: {f.code} {f.fix.description if f.fix else ''}" for f in applied]


def summary_line(findings: Sequence[Finding], config: Config) -> str:
    """``Found 12 findings (5 fixable)``, closing a report read by a person."""
    count = len(findings)
    fixable = sum(1 for finding in findings if config.may_fix(finding))
    unsafe = (
        0 if config.unsafe_fixes else sum(1 for f in findings if f.fix is not None and f.fix.edits and not f.fix.safe)
    )
    hint = f"; {unsafe} more with --unsafe-fixes" if unsafe else ""
    return f"Found {count} finding{'' if count == 1 else 's'} ({fixable} fixable{hint})\n"
