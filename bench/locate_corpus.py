"""Rewrite every corpus header `# expect: NN201` into its located form `# expect: NN201@41` from what
nnlint reports now (run once when the corpus was exact; check the diff by hand before committing).

    python bench/locate_corpus.py [--check]     # --check: only list the headers that would change
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nnlint.config import Config  # noqa: E402
from nnlint.engine import Linter  # noqa: E402
from tests.corpus_headers import CORPUS, corpus_files, location, read_expectation  # noqa: E402

_EXPECT = re.compile(r"^(#\s*expect\s*:\s*)(.*?)(\s*)$")


def located_header(path: Path, linter: Linter) -> str:
    findings = sorted(linter.lint_file(str(path)), key=lambda f: (f.cell or 0, f.line, f.code))
    expected = read_expectation(path).static
    reported = sorted(f.code for f in findings)
    if reported != expected:
        raise SystemExit(f"{path}: reports {reported}, header says {expected}: fix the corpus first")
    return ", ".join(f"{f.code}@{location(f)}" for f in findings) or "none"


def rewrite(text: str, header: str, notebook: bool) -> str:
    """Replace the first `# expect:` line (in a notebook, inside its JSON string) by the located header."""
    if notebook:
        pattern = re.compile(r'"(#\s*expect\s*:\s*)([^"\\]*?)(\\n)?"')
        return pattern.sub(lambda m: '"' + m.group(1) + header + (m.group(3) or "") + '"', text, count=1)
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines[:40]):
        match = _EXPECT.match(line.rstrip("\n"))
        if match:
            lines[index] = match.group(1) + header + ("\n" if line.endswith("\n") else "")
            return "".join(lines)
    raise SystemExit("no header")


def main(argv: list) -> int:
    linter = Linter(Config())
    changed = 0
    for path in corpus_files():
        header = located_header(path, linter)
        text = path.read_text(encoding="utf-8")
        new = rewrite(text, header, path.suffix == ".ipynb")
        if path.suffix == ".ipynb":
            json.loads(new)  # still a notebook
        if new != text:
            changed += 1
            print(f"{path.relative_to(CORPUS)}: {header}")
            if "--check" not in argv:
                path.write_text(new, encoding="utf-8")
    print(f"{changed} header(s) {'would change' if '--check' in argv else 'rewritten'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
