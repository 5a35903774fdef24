"""Formatters turn findings into text; they never decide anything."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

from nnlint.finding import Finding


@dataclass
class FormatOptions:
    """How the report is shown: ``--show-source``, colour (only on a terminal), sources not on disk (stdin)."""

    show_source: bool = False
    color: bool = False
    sources: Dict[str, str] = field(default_factory=dict)
    _lines: Dict[str, List[str]] = field(default_factory=dict, repr=False)

    def lines_of(self, path: str) -> List[str]:
        """The file's lines as linted (stdin text or the file on disk); empty when unreadable."""
        if path not in self._lines:
            text = self.sources.get(path)
            if text is None:
                from nnlint.analysis.source import SourceError, read_source

                try:
                    text = read_source(Path(path))
                except SourceError:
                    text = ""
            self._lines[path] = text.splitlines()
        return self._lines[path]


Formatter = Callable[[Sequence[Finding], FormatOptions], str]
FORMATTERS: Dict[str, Formatter] = {}


def register(name: str) -> Callable[[Formatter], Formatter]:
    def decorate(func: Formatter) -> Formatter:
        FORMATTERS[name] = func
        return func

    return decorate


def format_findings(name: str, findings: Sequence[Finding], options: Optional[FormatOptions] = None) -> str:
    return FORMATTERS[name](findings, options or FormatOptions())


from nnlint.formatters import github, json_format, sarif, text  # noqa: E402,F401  (registration)
