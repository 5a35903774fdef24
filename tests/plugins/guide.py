"""Reading docs/plugins.md: its file blocks (``<!-- file: PATH -->``) and shown output
(``<!-- output: COMMAND -->``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List, Tuple

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "docs" / "plugins.md"
EXAMPLE = REPO / "plugins" / "nnlint-example"

# a fence of three or more backticks, closed by the same fence (files that contain ``` use ````)
_BLOCK = re.compile(
    r"<!-- (?P<kind>file|output): (?P<what>[^>]+?) -->\n(?P<fence>`{3,})[a-z]*\n(?P<body>.*?)^(?P=fence)$", re.S | re.M
)


def blocks(kind: str) -> Dict[str, str]:
    return {m["what"]: m["body"] for m in _BLOCK.finditer(GUIDE.read_text(encoding="utf-8")) if m["kind"] == kind}


def example_files() -> List[Tuple[str, str]]:
    """(path inside nnlint-example, text the guide shows) for every file of the example the guide quotes."""
    return [(path, body) for path, body in blocks("file").items() if (EXAMPLE / path).exists()]


def sample_and_output() -> Tuple[str, str, List[str]]:
    """The guide's sample script, the command it runs on it, and the output lines it promises."""
    sample = blocks("file")["train.py"]
    command, body = next(iter(blocks("output").items()))
    lines = [line for line in body.splitlines() if line and not line.startswith("$ ")]
    return sample, command, lines
