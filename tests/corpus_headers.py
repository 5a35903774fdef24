"""Reading the `# expect:` headers of corpus scripts and notebooks (shared by the static and dynamic corpus tests).

A notebook's header is the comment lines of its first code cell (see corpus/README.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, List, Optional, Tuple

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
_HEADER = re.compile(r"^#\s*(expect|expect-dynamic|requires|args)\s*:\s*(.*?)\s*$")


@dataclass
class Expectation:
    path: Path
    static: List[str] = field(default_factory=list)
    located: List[Tuple[str, Optional[str]]] = field(default_factory=list)  # (code, where) of each static finding
    dynamic: List[str] = field(default_factory=list)
    requires: List[str] = field(default_factory=list)
    args: List[str] = field(default_factory=list)
    has_header: bool = False


def parse_located(text: str) -> List[Tuple[str, Optional[str]]]:
    """``NN201@41, NN501@7:12`` -> [("NN201", "41"), ("NN501", "7:12")]: the line of each finding (in a
    notebook, ``cell:line``); a bare ``NN201`` (the old form, still read) has no location."""
    if text.strip().lower() == "none":
        return []
    located: List[Tuple[str, Optional[str]]] = []
    for item in re.split(r"[\s,]+", text.strip()):
        if not item:
            continue
        code, at, where = item.partition("@")
        if at and not re.fullmatch(r"(\d+:)?\d+", where):
            raise ValueError(f"bad expectation {item!r}: the form is CODE, CODE@LINE or CODE@CELL:LINE")
        located.append((code, where or None))
    return located


def location(finding: Any) -> str:
    """How a header names where a finding is: its line, or ``cell:line`` in a notebook."""
    return f"{finding.cell}:{finding.line}" if finding.cell else str(finding.line)


def _codes(text: str) -> List[str]:
    return sorted(code for code, _ in parse_located(text))


def header_lines(path: Path) -> List[str]:
    """The lines a header may be on: a script's first 40, a notebook's first code cell."""
    if path.suffix == ".ipynb":
        from nnlint.notebooks import read_notebook

        code = read_notebook(path.read_bytes()).code_cells()
        return code[0].source.splitlines() if code else []
    return path.read_text(encoding="utf-8").splitlines()[:40]


def read_expectation(path: Path) -> Expectation:
    expectation = Expectation(path)
    for line in header_lines(path):
        match = _HEADER.match(line.strip())
        if not match:
            continue
        key, value = match.groups()
        if key == "expect":
            expectation.static.extend(_codes(value))
            expectation.located.extend(parse_located(value))
            expectation.has_header = True
        elif key == "expect-dynamic":
            expectation.dynamic.extend(_codes(value))
        elif key == "requires":
            expectation.requires.extend(m for m in re.split(r"[\s,]+", value) if m)
        elif key == "args":
            expectation.args.extend(value.split())
    expectation.static.sort()
    expectation.located.sort(key=lambda item: (item[0], item[1] or ""))
    expectation.dynamic.sort()
    return expectation


def corpus_files(notebooks: bool = True) -> List[Path]:
    found = [*CORPUS.rglob("*.py"), *(CORPUS.rglob("*.ipynb") if notebooks else ())]
    return sorted(p for p in found if "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts)
