"""The boundary between nnlint and plugin code: entry points, hooks, rules and probes.

Whatever plugin code raises there, ``SystemExit`` and ``KeyboardInterrupt`` included, and whatever it
hands back that nnlint cannot use (a hook returning a non-list, a finding that is not a
:class:`~nnlint.finding.Finding`), is reported in one line naming the plugin, and the run goes on with
the other plugins' results. Two kinds of exception still pass: a real signal (Ctrl-C, SIGTERM: the user
wants the run to stop) and a time budget running out (:class:`nnlint.limits.BudgetExceeded`).
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, List, Optional

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


_DEBUG = False  # --debug: the traceback of every contained plugin failure goes to stderr


def set_debug(enabled: bool) -> None:
    global _DEBUG
    _DEBUG = enabled


def debugging() -> bool:
    return _DEBUG or os.environ.get("NNLINT_DEBUG", "") not in ("", "0")


def print_traceback(error: BaseException, what: str) -> None:
    """Under ``--debug``: ``what`` failed, then the full traceback, on stderr."""
    if not debugging():
        return
    import traceback  # here: most runs print none

    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    sys.stderr.write(f"nnlint: debug: {what}:\n{text}")
    sys.stderr.flush()


def _roots_of(owner: Any) -> List[str]:
    """The folders (or the file) holding the code of the package that defines ``owner`` (a class)."""
    module_name = getattr(owner, "__module__", "") or ""
    module = sys.modules.get(module_name.split(".")[0])
    roots: List[str] = []
    if module is not None:
        roots.extend(os.path.realpath(path) for path in getattr(module, "__path__", None) or [])
        file = getattr(module, "__file__", None)
        if not roots and file:
            roots.append(os.path.realpath(file))
    return roots


def failure_location(error: BaseException, owner: Any) -> Optional[str]:
    """``file.py:LINE`` of the innermost traceback frame in the package that defines ``owner`` (a rule or
    probe class), shown relative to the folder above that package; else of the innermost frame in the
    file that defines ``owner``; else of the innermost frame. None without a traceback."""
    import traceback

    frames = traceback.extract_tb(error.__traceback__) if error.__traceback__ is not None else []
    if not frames:
        return None
    roots = _roots_of(owner)
    for frame in reversed(frames):
        real = os.path.realpath(frame.filename)
        for root in roots:
            if real == root or real.startswith(root.rstrip(os.sep) + os.sep):
                base = os.path.dirname(root.rstrip(os.sep))
                return f"{os.path.relpath(real, base)}:{frame.lineno}"
    own_file = _source_file(owner)
    candidates = [f for f in frames if own_file is not None and os.path.realpath(f.filename) == own_file] or frames
    frame = candidates[-1]
    return f"{_short_path(frame.filename)}:{frame.lineno}"


def _source_file(owner: Any) -> Optional[str]:
    check = getattr(owner, "check", None)
    code = getattr(check, "__code__", None)
    return os.path.realpath(code.co_filename) if code is not None else None


def _short_path(filename: str) -> str:
    try:
        relative = os.path.relpath(filename)
    except ValueError:
        return filename
    return filename if relative.startswith("..") else relative


def failed(error: BaseException, owner: Any) -> str:
    """``failed: RuntimeError: boom (at plugin/rules.py:12)``: how a rule or probe failed, and where."""
    where = failure_location(error, owner)
    return f"failed: {describe(error)}" + (f" (at {where})" if where else "")


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
            return (
                f"its fix holds {_short(edit)}, not an Edit (build it with ctx.replace / insert_before / insert_after)"
            )
        if not (_positive(edit.line) and _positive(edit.end_line) and _whole(edit.column) and _whole(edit.end_column)):
            return (
                f"its fix holds an edit at {_short((edit.line, edit.column, edit.end_line, edit.end_column))}, "
                "not a position"
            )
    return None


def _positive(value: Any) -> bool:
    return type(value) is int and value >= 1


def _whole(value: Any) -> bool:
    return type(value) is int and value >= 0


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
