"""Reading the `# expect:` headers of corpus scripts and notebooks (shared by the static and dynamic corpus tests).

A notebook's header is the comment lines of its first code cell (see corpus/README.md)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import List

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
_HEADER = re.compile(r"^#\s*(expect|expect-dynamic|requires|args)\s*:\s*(.*?)\s*$")


@dataclass
class Expectation:
    path: Path
    static: List[str] = field(default_factory=list)
    dynamic: List[str] = field(default_factory=list)
    requires: List[str] = field(default_factory=list)
    args: List[str] = field(default_factory=list)
    has_header: bool = False


def _codes(text: str) -> List[str]:
    if text.strip().lower() == "none":
        return []
    return sorted(code for code in re.split(r"[\s,]+", text.strip()) if code)


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
            expectation.has_header = True
        elif key == "expect-dynamic":
            expectation.dynamic.extend(_codes(value))
        elif key == "requires":
            expectation.requires.extend(m for m in re.split(r"[\s,]+", value) if m)
        elif key == "args":
            expectation.args.extend(value.split())
    expectation.static.sort()
    expectation.dynamic.sort()
    return expectation


def corpus_files(notebooks: bool = True) -> List[Path]:
    found = [*CORPUS.rglob("*.py"), *(CORPUS.rglob("*.ipynb") if notebooks else ())]
    return sorted(p for p in found if "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts)
