"""Score nnlint on the holdout rounds of real bugs, the way their rows were measured.

    python bench/holdout.py                                   # every bench/realcode/holdout*-bugs.tsv
    python bench/holdout.py --file bench/realcode/holdout2-bugs.tsv -v

Each row (``file repo path commit code ...``) names a repository, its buggy commit, the file the bug is
reported in and the code that should report it. The repository's ``.py`` files at that commit are laid
out from its bare git copy (``--mirrors``, as ``bench/realcode.py layout`` reads them) into
``<dest>/<round>/<owner>__<name>/`` when that folder is absent (``<round>``: the file's name without
``-bugs.tsv``; ``holdout-bugs.tsv`` -> ``holdout``). Then, as a user would, ``nnlint --select CODE <path>``
runs inside the laid-out repository (a fresh process, no cache); the row is found when the code is
reported in the row's file. Nothing laid out is ever committed (``.realcode/`` is git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))

from realcode import DEST, OURS, REPO, _extract, git_dir, read_tsv  # noqa: E402

MIRRORS = Path("/work/.mirror")


@dataclass(frozen=True)
class HoldoutRow:
    key: str  # the row's short name: V01, H05, ...
    repo: str
    path: str
    commit: str
    code: str

    @property
    def folder(self) -> str:
        return self.repo.replace("/", "__")


def round_name(tsv: Path) -> str:
    """``holdout2-bugs.tsv`` -> ``holdout2``: the folder its repositories are laid out in."""
    return tsv.name[: -len("-bugs.tsv")] if tsv.name.endswith("-bugs.tsv") else tsv.stem


def holdout_rows(tsv: Path) -> List[HoldoutRow]:
    return [
        HoldoutRow(row["file"].split("__", 1)[0], row["repo"], row["path"], row["commit"], row["code"])
        for row in read_tsv(tsv)
    ]


def lay_out(row: HoldoutRow, root: Path, mirrors: Path) -> Optional[str]:
    """Lay the row's repository out under ``root`` unless it is there; an error message, or None."""
    tree = root / row.folder
    if tree.is_dir():
        return None
    git = git_dir(mirrors, row.repo)
    if git is None:
        return f"no git copy of {row.repo} under {mirrors}"
    try:
        _extract(git, row.commit, [], tree)
    except subprocess.CalledProcessError as error:
        return f"{row.repo}@{row.commit[:10]}: {error.stderr.decode(errors='replace').strip()}"
    return None


def reported_lines(report: str, path: str, code: str) -> List[int]:
    """Lines at which ``code`` is reported in ``path`` (relative to the repository) in a JSON report."""
    try:
        findings = json.loads(report or "[]")
    except json.JSONDecodeError:
        return []
    wanted = Path(path).as_posix()
    return sorted(
        int(f["line"]) for f in findings if f.get("code") == code and Path(str(f.get("path", ""))).as_posix() == wanted
    )


def run_nnlint(tree: Path, row: HoldoutRow) -> str:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "nnlint",
            "check",
            "--select",
            row.code,
            "--no-cache",
            "-j",
            "1",
            "-q",
            "--format",
            "json",
            "--exit-zero",
            row.path,
        ],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout


def score(rows: Sequence[HoldoutRow], root: Path, mirrors: Path) -> Dict[str, Optional[List[int]]]:
    """Per row: the lines it is reported at (empty: missed), or None when it could not be laid out."""
    results: Dict[str, Optional[List[int]]] = {}
    for row in rows:
        error = lay_out(row, root, mirrors)
        if error or not (root / row.folder / row.path).is_file():
            print(f"skipped {row.key}: {error or 'file absent at that commit'}", file=sys.stderr)
            results[row.key] = None
            continue
        results[row.key] = reported_lines(run_nnlint(root / row.folder, row), row.path, row.code)
    return results


def summary(name: str, rows: Sequence[HoldoutRow], results: Dict[str, Optional[List[int]]], verbose: bool) -> str:
    found = [r.key for r in rows if results.get(r.key)]
    lines = []
    if verbose:
        for row in rows:
            got = results.get(row.key)
            mark = "skip " if got is None else ("found" if got else "MISS ")
            where = f" at {','.join(map(str, got))}" if got else ""
            lines.append(f"{mark} {row.key} {row.code} {row.repo} {row.path}{where}")
    missed = [r.key for r in rows if not results.get(r.key)]
    lines.append(f"{name}: {len(found)}/{len(rows)} found; missed: {' '.join(missed) or 'none'}")
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, action="append", help="a holdout TSV (repeatable; default: all)")
    parser.add_argument("--mirrors", type=Path, default=MIRRORS)
    parser.add_argument("--dest", type=Path, default=DEST, help="where .realcode/<round>/ lives")
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args(argv)
    files = args.file or sorted(OURS.glob("holdout*-bugs.tsv"))
    total = found = 0
    for tsv in files:
        rows = holdout_rows(tsv)
        results = score(rows, args.dest / round_name(tsv), args.mirrors)
        print(summary(tsv.name, rows, results, args.verbose), flush=True)
        total += len(rows)
        found += sum(bool(v) for v in results.values())
    if len(files) > 1:
        print(f"all: {found}/{total} found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
