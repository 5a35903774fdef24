"""``--fix`` round trip over real notebooks: every ``.ipynb`` of some public course repositories.

    python bench/notebook_fix.py --mirrors /work/.mirror udacity/deep-learning-v2-pytorch Atcold/NYU-DLSP20 ...

Each repository is read from a bare git copy (``<mirrors>/<owner>+<name>/repo[/.git]``) at its HEAD; its
notebooks are written under the git-ignored ``.realcode/courses/`` and fixed there in place, as
``nnlint --fix`` does. Every notebook is then checked: it still loads with nbformat and validates
against its schema (when it did before), its outputs, execution counts, metadata and cell ids are
unchanged, and the only lines of the file that differ are lines of cell sources. Prints one line per
repository and the totals; exits 1 if any notebook fails a check.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, List, Optional

REPO = Path(__file__).resolve().parent.parent
DEST = REPO / ".realcode" / "courses"
sys.path.insert(0, str(REPO))


@dataclass
class Tally:
    notebooks: int = 0
    fixed: int = 0  # notebooks --fix changed
    findings_fixed: int = 0
    left_untouched: List[str] = field(default_factory=list)  # reported as not fixable safely
    invalid_before: int = 0  # nbformat rejected the original already
    failures: List[str] = field(default_factory=list)


def git_dir(mirrors: Path, repo: str) -> Optional[Path]:
    base = mirrors / repo.replace("/", "+") / "repo"
    for candidate in (base / ".git", base):
        if (candidate / "HEAD").exists():
            return candidate
    return None


def extract(git: Path, dest: Path) -> List[Path]:
    names = subprocess.run(
        ["git", f"--git-dir={git}", "ls-tree", "-r", "--name-only", "-z", "HEAD"], check=True, capture_output=True
    ).stdout
    written = []
    for name in filter(None, names.decode("utf-8", "surrogateescape").split("\0")):
        if not name.endswith(".ipynb") or ".ipynb_checkpoints" in name:
            continue
        blob = subprocess.run(["git", f"--git-dir={git}", "show", f"HEAD:{name}"], capture_output=True)
        if blob.returncode != 0:
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob.stdout)
        written.append(target)
    return written


def _valid(text: str) -> Optional[str]:
    from nnlint.notebooks.writer import nbformat_problem

    return nbformat_problem(text)


def _without_sources(data: Any) -> Any:
    cells = data.get("cells") if isinstance(data, dict) else None
    for cell in cells or []:
        if isinstance(cell, dict):
            cell.pop("source", None)
    return data


def check(path: Path, before: bytes, tally: Tally) -> None:
    after = path.read_bytes()
    if after == before:
        return
    tally.fixed += 1
    text = after.decode("utf-8-sig")
    problem = _valid(text)
    if problem is not None:
        tally.failures.append(f"{path}: {problem}")
        return
    old, new = json.loads(before.decode("utf-8-sig")), json.loads(text)
    if _without_sources(old) != _without_sources(new):
        tally.failures.append(f"{path}: more than cell sources changed")
        return
    from nnlint.notebooks import read_notebook

    notebook = read_notebook(after)
    source_lines = set()
    for cell in notebook.cells:
        for piece in cell.pieces:
            first = text.count("\n", 0, piece.start)
            source_lines.update(range(first, text.count("\n", 0, piece.end) + 1))
    old_lines, new_lines = before.decode("utf-8-sig").splitlines(), text.splitlines()
    import difflib

    for tag, _i1, _i2, j1, j2 in difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
        if tag in ("replace", "insert") and not set(range(j1, j2)) <= source_lines:
            tally.failures.append(f"{path}: a line outside the cell sources changed (line {j1 + 1})")
            return


def run(mirrors: Path, repos: List[str]) -> int:
    from nnlint.autofix import fix_paths
    from nnlint.config import Config
    from nnlint.engine import Linter

    total = Tally()
    for repo in repos:
        git = git_dir(mirrors, repo)
        if git is None:
            print(f"{repo}: no git copy under {mirrors}", file=sys.stderr)
            return 2
        dest = DEST / repo.replace("/", "__")
        files = extract(git, dest)
        originals = {path: path.read_bytes() for path in files}
        tally = Tally(notebooks=len(files))
        tally.invalid_before = sum(
            1 for data in originals.values() if _valid(data.decode("utf-8-sig", "replace")) is not None
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = fix_paths(Linter(Config()), [str(path) for path in files], write=True)
        tally.findings_fixed = result.fixed
        tally.left_untouched = result.problems
        for path, data in originals.items():
            check(path, data, tally)
            path.write_bytes(data)  # leave the copies as they were, for the next run
        print(
            f"{repo}: {tally.notebooks} notebooks, {tally.fixed} changed by --fix ({tally.findings_fixed} findings "
            "fixed), "
            f"{len(tally.left_untouched)} left untouched and reported, {tally.invalid_before} not valid nbformat "
            "before, "
            f"{len(tally.failures)} failed a check"
        )
        for line in tally.left_untouched + tally.failures:
            print(f"  {line}")
        for name in ("notebooks", "fixed", "findings_fixed", "invalid_before"):
            setattr(total, name, getattr(total, name) + getattr(tally, name))
        total.left_untouched += tally.left_untouched
        total.failures += tally.failures
    print(
        f"total: {total.notebooks} notebooks, {total.fixed} changed ({total.findings_fixed} findings fixed), "
        f"{len(total.left_untouched)} left untouched, {len(total.failures)} failed a check"
    )
    return 1 if total.failures else 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirrors", type=Path, required=True, help="folder of bare git copies (<owner>+<name>/repo)")
    parser.add_argument("repos", nargs="+", help="owner/name of each repository")
    options = parser.parse_args(argv)
    return run(options.mirrors, options.repos)


if __name__ == "__main__":
    sys.exit(main())
