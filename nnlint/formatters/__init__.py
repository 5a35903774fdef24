"""Formatters turn findings into text; they never decide anything."""
from __future__ import annotations

from typing import Callable, Dict, List, Sequence

from nnlint.finding import Finding

Formatter = Callable[[Sequence[Finding]], str]
FORMATTERS: Dict[str, Formatter] = {}


def register(name: str) -> Callable[[Formatter], Formatter]:
    def decorate(func: Formatter) -> Formatter:
        FORMATTERS[name] = func
        return func

    return decorate


def format_findings(name: str, findings: Sequence[Finding]) -> str:
    return FORMATTERS[name](findings)


from nnlint.formatters import json_format, text  # noqa: E402,F401  (registration)
