"""The console script's entry point (``nnlint = nnlint.start:main``) and ``python -m nnlint``'s.

``nnlint --version`` is answered here, before anything else is imported: the command line (click, the
formatters, the configuration) and the plugins' entry points (``importlib.metadata``) cost several times a
bare interpreter's start-up, for one line. The text is click's ``version_option`` message, which the full
command line prints for the same argument (``tests/perf/test_startup.py`` holds the two equal); any other
argument list goes to :func:`nnlint.cli.main`.
"""

from __future__ import annotations

import sys
from typing import List, Optional

VERSION_MESSAGE = "{prog}, version {version}\n"


def version_line() -> str:
    from nnlint import __version__

    return VERSION_MESSAGE.format(prog="nnlint", version=__version__)


def main(argv: Optional[List[str]] = None) -> None:
    """Run the command line on ``argv`` (default: ``sys.argv[1:]``); exits with the command's status."""
    args = sys.argv[1:] if argv is None else list(argv)
    if args == ["--version"]:
        sys.stdout.write(version_line())
        sys.stdout.flush()
        return
    from nnlint.cli import main as command

    command(args=args)
