"""Bounds on what one file may cost: its size, its nesting depth, and the time its analysis takes.

Real code is far inside them (the deepest of 20,000 files of the standard library and site-packages
nests 49 levels at the 99.9th percentile; generated tables reach a few hundred), and files beyond
them are what makes a parser or a recursive rule take minutes. A file over ``max-file-size`` or
``max-depth`` is skipped with a note; one whose analysis runs past ``file-timeout`` seconds is
abandoned with an NN002 finding, and a rule that runs past ``rule-timeout`` seconds on one file is
stopped there (its NN002 finding; the other rules' findings stay). ``0`` turns a limit off.
Configured in ``[tool.nnlint]``.
"""

from __future__ import annotations

import ast
import os
import signal
import threading
import time
from dataclasses import dataclass
from typing import Any, List, Optional


@dataclass(frozen=True)
class Limits:
    max_file_size: int = 2_000_000  # bytes
    max_depth: int = 300  # levels of Python's syntax tree
    file_timeout: float = 60.0  # seconds per file (parse, model, every rule)
    rule_timeout: float = 30.0  # seconds one rule may take on one file


DEFAULT_LIMITS = Limits()
CONFIG_KEYS = {
    "max-file-size": "max_file_size",
    "max-depth": "max_depth",
    "file-timeout": "file_timeout",
    "rule-timeout": "rule_timeout",
}
_SECONDS = ("file_timeout", "rule_timeout")


def read_at_most(handle: Any, limit: int) -> bytes:
    """The bytes of an open binary file, ``limit + 1`` at most (0: no limit), so that a file over ``max-file-size``
    is known without reading it whole. Sized by the file's own size: ``read(limit + 1)`` allocates the whole
    buffer first, which for a small file cost three times the read."""
    if not limit:
        data: bytes = handle.read()
        return data
    try:
        size = os.fstat(handle.fileno()).st_size
    except (OSError, AttributeError, ValueError):
        size = limit
    want = min(size, limit) + 1
    data = handle.read(want)
    if len(data) == want and want <= limit:  # grown since the stat: the rest, up to the limit
        data += handle.read(limit + 1 - len(data))
    return data


def limits_from_table(table: dict, where: str = "") -> Limits:
    """The limits set in ``[tool.nnlint]`` (keys of CONFIG_KEYS); ValueError naming the key otherwise."""
    values: dict = {}
    for key, attribute in CONFIG_KEYS.items():
        if key not in table:
            continue
        value = table[key]
        integral = attribute not in _SECONDS
        if isinstance(value, bool) or not isinstance(value, int if integral else (int, float)) or value < 0:
            kind = "a whole number" if integral else "a number of seconds"
            raise ValueError(f"{where}tool.nnlint.{key} must be {kind}, 0 or more (0: no limit), not {value!r}")
        values[attribute] = value
    return Limits(**values)


def nesting_depth(tree: ast.AST, stop_above: int = 0) -> int:
    """Depth of the deepest node below ``tree`` (``tree`` itself is 1); stops early past ``stop_above``."""
    deepest = 0
    stack = [(tree, 1)]
    pop, push, node_type = stack.pop, stack.append, ast.AST
    while stack:
        node, depth = pop()
        if depth > deepest:
            deepest = depth
            if stop_above and deepest > stop_above:
                return deepest
        depth += 1
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, node_type):
                push((value, depth))
            elif type(value) is list:
                for item in value:
                    if isinstance(item, node_type):
                        push((item, depth))
    return deepest


class BudgetExceeded(BaseException):
    """Raised where the analysis happens to be when its time is up (a BaseException: ``except Exception``
    in a rule cannot swallow it)."""

    def __init__(self, budget: "TimeBudget") -> None:
        super().__init__(f"exceeded {budget.seconds:g} s")
        self.budget = budget


_ARMED: List["TimeBudget"] = []  # the budgets whose timer runs, innermost last (main thread only)


def _on_alarm(signum: int, frame: Optional[Any]) -> None:
    if _ARMED:
        raise BudgetExceeded(_ARMED[-1])


class TimeBudget:
    """``with TimeBudget(seconds):`` raises :class:`BudgetExceeded` in the block when the time is up.

    SIGALRM-based, so only in the main thread of a POSIX process; elsewhere (and for 0 seconds) it does
    nothing. Budgets nest: an inner one never outlives the outer, whose timer is restored on exit. The
    outermost armed budget installs the SIGALRM handler, which raises for the innermost armed one: the
    budgets nested in it (one per rule and file) only set the timer (swapping the handler in and out, which
    goes through ``signal``'s enum conversions, was a tenth of the engine's own cost)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._armed = False
        self._previous_handler: Any = None
        self._installs = False  # the outermost armed budget: it installed the handler
        self._previous_delay = 0.0
        self._previous_interval = 0.0
        self._started = 0.0

    def __enter__(self) -> "TimeBudget":
        if (
            self.seconds <= 0
            or not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()
        ):
            return self
        self._started = time.monotonic()
        self._previous_delay, self._previous_interval = signal.setitimer(signal.ITIMER_REAL, 0)
        if self._previous_delay and self._previous_delay <= self.seconds:  # the outer one ends first: keep it
            signal.setitimer(signal.ITIMER_REAL, self._previous_delay, self._previous_interval)
            return self
        self._installs = not _ARMED
        if self._installs:
            self._previous_handler = signal.signal(signal.SIGALRM, _on_alarm)
        _ARMED.append(self)
        signal.setitimer(signal.ITIMER_REAL, self.seconds)
        self._armed = True
        return self

    def __exit__(self, *exc: Any) -> None:
        if not self._armed:
            return
        self._armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        _ARMED.remove(self)
        if self._installs:
            signal.signal(signal.SIGALRM, self._previous_handler)
        if self._previous_delay:
            left = self._previous_delay - (time.monotonic() - self._started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001), self._previous_interval)
