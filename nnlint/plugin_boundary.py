"""The boundary between nnlint and plugin code: entry points, hooks, rules and probes.

Whatever plugin code raises there, ``SystemExit`` and ``KeyboardInterrupt`` included, and whatever it
hands back that nnlint cannot use (a hook returning a non-list, a finding that is not a
:class:`~nnlint.finding.Finding`), is reported in one line naming the plugin, and the run goes on with
the other plugins' results. Two kinds of exception still pass: a real signal (Ctrl-C, SIGTERM: the user
wants the run to stop) and a time budget running out (:class:`nnlint.limits.BudgetExceeded`).
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from nnlint import interrupts
from nnlint.finding import Edit, Finding, Fix, Severity, Source


def is_plugin_failure(error: BaseException) -> bool:
    """Whether an exception that escaped plugin code is the plugin's own failure, to report and contain.

    ``KeyboardInterrupt`` counts as the plugin's when no Ctrl-C arrived while nnlint watched for signals
    (:func:`nnlint.interrupts.signals_raise`); outside that watch a real one cannot be told apart, so it
    passes."""
    if isinstance(error, (Exception, SystemExit)):
        return True
    if isinstance(error, KeyboardInterrupt):
        return interrupts.watching() and not interrupts.signal_arrived()
    return False


def describe(error: BaseException) -> str:
    """``RuntimeError: boom``; ``SystemExit: 3``; an exception without a message: its type alone."""
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def call_plugin(call: Callable[[], Any], on_failure: Callable[[BaseException], Any]) -> Any:
    """``call()``, or ``on_failure(error)`` when plugin code fails (see :func:`is_plugin_failure`)."""
    try:
        return call()
    except BaseException as error:
        if not is_plugin_failure(error):
            raise
        return on_failure(error)


def severity_of(value: Any) -> Severity:
    """A :class:`Severity` from itself or its name (``"warning"``); ValueError naming the valid ones."""
    if isinstance(value, Severity):
        return value
    if isinstance(value, str):
        try:
            return Severity(value.lower())
        except ValueError:
            pass
    valid = ", ".join(repr(s.value) for s in Severity)
    raise ValueError(f"severity must be a nnlint.api.Severity ({valid}), not {value!r}")


def finding_problem(value: Any) -> Optional[str]:
    """What makes ``value`` unusable as a finding (formatters, the cache and fixes rely on every field),
    or None when it is a well-formed :class:`Finding`."""
    if not isinstance(value, Finding):
        return f"{_short(value)} is not a Finding (report findings with ctx.report(...))"
    for name in ("path", "code", "name", "message"):
        if not isinstance(getattr(value, name), str):
            return f"its {name} is {_short(getattr(value, name))}, not a string"
    for name in ("line", "column"):
        if not _positive(getattr(value, name)):
            return f"its {name} is {_short(getattr(value, name))}, not a position (1 or more)"
    for name in ("end_line", "end_column"):
        if getattr(value, name) is not None and not _positive(getattr(value, name)):
            return f"its {name} is {_short(getattr(value, name))}, not a position (1 or more)"
    if not isinstance(value.severity, Severity):
        return f"its severity is {_short(value.severity)}, not a nnlint.api.Severity"
    if not isinstance(value.source, Source):
        return f"its source is {_short(value.source)}, not a nnlint.finding.Source"
    if value.confirmed not in (None, True, False):
        return f"its confirmed is {_short(value.confirmed)}, not None, True or False"
    if value.evidence is not None and not isinstance(value.evidence, dict):
        return f"its evidence is {_short(value.evidence)}, not a dict"
    if value.fix is not None:
        return _fix_problem(value.fix)
    return None


def _fix_problem(fix: Any) -> Optional[str]:
    if not isinstance(fix, Fix) or not isinstance(fix.description, str) or not isinstance(fix.edits, tuple):
        return f"its fix is {_short(fix)}, not a Fix (build it with ctx.fix(...))"
    for edit in fix.edits:
        if not isinstance(edit, Edit) or not isinstance(edit.replacement, str):
            return f"its fix holds {_short(edit)}, not an Edit (build it with ctx.replace / insert_before / insert_after)"
        if not (_positive(edit.line) and _positive(edit.end_line) and _whole(edit.column) and _whole(edit.end_column)):
            return f"its fix holds an edit at {_short((edit.line, edit.column, edit.end_line, edit.end_column))}, not a position"
    return None


def _positive(value: Any) -> bool:
    return type(value) is int and value >= 1


def _whole(value: Any) -> bool:
    return type(value) is int and value >= 0


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
