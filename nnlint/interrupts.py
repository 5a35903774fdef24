"""Terminating signals become exceptions, so that every ``finally`` runs: child processes are ended,
temporary folders removed, worker pools terminated, and nnlint exits ``128 + N`` with one line.

Only signals whose handler is still the default are taken over (an application embedding nnlint keeps
its own handlers). After the first signal, further ones are ignored until the outermost
:func:`signals_raise` block ends, so that a second Ctrl-C cannot interrupt the clean-up.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List

# signals whose default action ends the process (SIGKILL and SIGSTOP cannot be caught)
_NAMES = (
    "SIGHUP",
    "SIGINT",
    "SIGQUIT",
    "SIGTERM",
    "SIGUSR1",
    "SIGUSR2",
    "SIGALRM",
    "SIGXCPU",
    "SIGXFSZ",
    "SIGVTALRM",
    "SIGPROF",
)
TERMINATING: List[int] = [getattr(signal, name) for name in _NAMES if hasattr(signal, name)]

_depth = 0
_fired = False


class Terminated(BaseException):
    """A terminating signal arrived (SIGINT arrives as ``KeyboardInterrupt``, as Python has it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"terminated by {signal_name(signum)}")
        self.signum = signum


def signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def exit_code(error: BaseException) -> int:
    """``128 + N`` for the signal behind ``error`` (130 for Ctrl-C)."""
    if isinstance(error, Terminated):
        return 128 + error.signum
    return 128 + signal.SIGINT


def signal_of(error: BaseException, default: int = signal.SIGTERM) -> int:
    if isinstance(error, Terminated):
        return error.signum
    if isinstance(error, KeyboardInterrupt):
        return signal.SIGINT
    return default


def watching() -> bool:
    """Whether terminating signals are being turned into exceptions (inside :func:`signals_raise`)."""
    return _depth > 0


def signal_arrived() -> bool:
    """Whether a terminating signal (Ctrl-C included) arrived during the current :func:`signals_raise`."""
    return _fired


def _handler(signum: int, frame: Any) -> None:
    global _fired
    if _fired:
        return  # cleaning up after the first one
    _fired = True
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Terminated(signum)


@contextmanager
def signals_raise() -> Iterator[None]:
    """While active, terminating signals raise :class:`Terminated` (main thread only; else a no-op)."""
    global _depth, _fired
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: Dict[int, Any] = {}
    for signum in TERMINATING:
        current = signal.getsignal(signum)
        if current in (signal.SIG_DFL, signal.default_int_handler) or current is _handler:
            previous[signum] = current
            signal.signal(signum, _handler)
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if _depth == 0:
            _fired = False


def default_signals_in_worker() -> None:
    """For worker processes forked by nnlint: Ctrl-C is the parent's business; other signals kill quietly."""
    for signum in TERMINATING:
        if signal.getsignal(signum) is _handler:
            signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
