"""Score nnlint on real code: the development set of ``../shared/realcode`` and our own wider clean set.

    python bench/realcode.py layout --mirrors /work/.mirror   # extract the listed files from git copies
    python bench/realcode.py                                  # score, print the table, update the README
    python bench/realcode.py --verbose --no-readme            # every row, every alarm

The code itself is never part of this repository: ``layout`` takes each repository from a bare git copy
(``<mirrors>/<owner>+<name>/repo[/.git]`` or ``<mirrors>/<owner>__<name>.git``) and extracts the files
at the listed commit into ``.realcode/`` (git-ignored):

- ``.realcode/buggy/<file>``: each row of ``buggy.tsv`` alone (a notebook row as the original ``.ipynb``,
  named after the row's file without ``_ipynb.py``, and linted as a notebook);
- ``.realcode/repos/<owner>__<name>@<commit>/``: the whole repository, for the cross-file rows;
- ``.realcode/clean/<owner>__<name>/``: the clean repositories of ``clean.tsv``;
- ``.realcode/wide/<owner>__<name>/``: those of our wider clean set, ``bench/realcode/wide-clean.tsv``
  (``repo``, ``commit``, ``paths``: comma-separated files or folders, ``notes``), whose findings are
  judged by hand in ``bench/realcode/wide-verdicts.tsv`` (path under ``.realcode/wide/``, code, verdict, why).

What counts (``../shared/realcode/README.md``): a same-file row is found when nnlint, run on the file
alone, reports the class's code in it; a cross-file row when nnlint, run on the repository, reports the
code in the row's file or in a file its scope note names. On the clean repositories every NN1xx-NN5xx
finding that the verdicts do not mark TRUE is an alarm, counted per 10,000 lines.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

REPO = Path(__file__).resolve().parent.parent


def _find_shared() -> Path:
    """``shared/realcode`` beside the checkout, or beside any folder above it (worktrees live deeper)."""
    for folder in REPO.parents:
        candidate = folder / "shared" / "realcode"
        if candidate.is_dir():
            return candidate
    return REPO.parent / "shared" / "realcode"


SHARED = _find_shared()
OURS = REPO / "bench" / "realcode"
DEST = REPO / ".realcode"
README = REPO / "README.md"
START, END = "<!-- realcode:start -->", "<!-- realcode:end -->"
CLASS_CODES = {
    "1": "NN201",
    "2": "NN301",
    "3": "NN501",
    "4": "NN502",
    "5": "NN102",
    "6": "NN202",
    "7": "NN101",
    "8": "NN402",
    "9": "NN203",
    "10": "NN103",
    "11": "NN302",
    "12": "NN305",
}
ALARM_CODE = re.compile(r"^NN[1-5]\d\d$")
SCOPE_FILE = re.compile(r"[\w./-]+\.py\b")

sys.path.insert(0, str(REPO))


# ------------------------------------------------------------------------------------------- data
@dataclass
class BugRow:
    file: str
    repo: str
    path: str
    commit: str
    code: str
    lines: str
    scope: str

    @property
    def same_file(self) -> bool:
        return self.scope.startswith("same-file")

    @property
    def scope_files(self) -> List[str]:
        return [self.path] + SCOPE_FILE.findall(self.scope)


@dataclass
class CleanRepo:
    repo: str
    commit: str
    paths: List[str]  # what to extract: "." for all .py files, else paths or folders
    verdicts: Dict[Tuple[str, str], str] = field(default_factory=dict)  # (path, code) -> TRUE/DEBATABLE/FALSE
    set_name: str = "clean.tsv"
    root: str = "clean"  # folder under the destination: clean (the shared set) or wide (ours)
    # our own reading of findings the shared verdicts do not cover (new findings on clean.tsv)
    our_verdicts: Dict[Tuple[str, str], str] = field(default_factory=dict)

    @property
    def folder(self) -> str:
        return self.repo.replace("/", "__")


def read_tsv(path: Path) -> List[Dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        lines = [line for line in handle if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def bug_rows(shared: Path) -> List[BugRow]:
    return [
        BugRow(r["file"], r["repo"], r["path"], r["commit"], CLASS_CODES[r["bug_class"]], r["lines"], r["scope"])
        for r in read_tsv(shared / "buggy.tsv")
    ]


def _paths_from_notes(notes: str) -> List[str]:
    """clean.tsv's notes say what was taken: 'examples/ only', 'train.py,validate.py only', or all."""
    match = re.match(r"^(.*?) only$", notes.strip())
    if match:
        return [p.strip() for p in match.group(1).split(",") if p.strip()]
    return ["."]


def verdicts_of(path: Path) -> Dict[Tuple[str, str], str]:
    found: Dict[Tuple[str, str], str] = {}
    if not path.exists():
        return found
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#") or not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 3 and parts[2].strip():
                found[(parts[0], parts[1])] = parts[2].split()[0].upper()  # "TRUE (right conclusion...)" is TRUE
    return found


def clean_repos(shared: Path, ours: Path) -> List[CleanRepo]:
    repos: List[CleanRepo] = []
    shared_verdicts = verdicts_of(shared / "clean-verdicts.tsv")
    our_reading = verdicts_of(ours / "clean-extra-verdicts.tsv")
    for row in read_tsv(shared / "clean.tsv"):
        paths = _paths_from_notes(row.get("notes", ""))
        repos.append(
            CleanRepo(row["repo"], row["commit"], paths, shared_verdicts, "clean.tsv", our_verdicts=our_reading)
        )
    wide = ours / "wide-clean.tsv"
    if wide.exists():
        wide_verdicts = verdicts_of(ours / "wide-verdicts.tsv")
        for row in read_tsv(wide):
            paths = [p.strip() for p in row["paths"].split(",") if p.strip()] or ["."]
            repos.append(CleanRepo(row["repo"], row["commit"], paths, wide_verdicts, "wide-clean.tsv", "wide"))
    return repos


# ----------------------------------------------------------------------------------------- layout
def git_dir(mirrors: Path, repo: str) -> Optional[Path]:
    owner, name = repo.split("/", 1)
    for candidate in (
        mirrors / f"{owner}+{name}" / "repo" / ".git",
        mirrors / f"{owner}+{name}" / "repo",
        mirrors / f"{owner}__{name}.git",
        mirrors / f"{owner}__{name}",
    ):
        if (candidate / "HEAD").exists() and (candidate / "objects").exists():
            return candidate
    return None


def _extract(git: Path, commit: str, paths: Sequence[str], dest: Path) -> int:
    """Write the .py and .ipynb files of ``paths`` (all when empty) at ``commit`` under ``dest``.

    Blob by blob rather than with ``git archive``: copies may lack large binary files, and archive fails on them.
    """
    listing = subprocess.run(
        ["git", f"--git-dir={git}", "ls-tree", "-r", "-z", commit, "--", *paths], check=True, capture_output=True
    ).stdout.decode("utf-8", "surrogateescape")
    wanted: List[Tuple[str, str]] = []
    for entry in filter(None, listing.split("\0")):
        meta, name = entry.split("\t", 1)
        _mode, kind, sha = meta.split()
        if kind == "blob" and name.endswith((".py", ".ipynb")):
            wanted.append((sha, name))
    if not wanted:
        return 0
    batch = subprocess.run(
        ["git", f"--git-dir={git}", "cat-file", "--batch"],
        input="".join(f"{sha}\n" for sha, _ in wanted).encode(),
        check=True,
        capture_output=True,
    ).stdout
    offset = 0
    count = 0
    for _sha, name in wanted:
        header_end = batch.index(b"\n", offset)
        header = batch[offset:header_end].split()
        offset = header_end + 1
        if len(header) < 3 or header[1] == b"missing":
            continue
        size = int(header[2])
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(batch[offset : offset + size])
        offset += size + 1
        count += 1
    return count


def buggy_target(row: "BugRow", dest: Path) -> Path:
    """Where a buggy row's file is laid out: notebooks as themselves (``<file stem>.ipynb``), linted as notebooks."""
    if row.path.endswith(".ipynb") and row.file.endswith("_ipynb.py"):
        return dest / "buggy" / (row.file[: -len("_ipynb.py")] + ".ipynb")
    return dest / "buggy" / row.file


def layout(mirrors: Path, dest: Path, shared: Path, ours: Path) -> int:
    missing = 0
    for row in bug_rows(shared):
        git = git_dir(mirrors, row.repo)
        if git is None:
            print(f"missing git copy: {row.repo}", file=sys.stderr)
            missing += 1
            continue
        target = buggy_target(row, dest)
        target.parent.mkdir(parents=True, exist_ok=True)
        blob = subprocess.run(
            ["git", f"--git-dir={git}", "show", f"{row.commit}:{row.path}"], check=True, capture_output=True
        ).stdout
        target.write_bytes(blob)
        if not row.same_file:
            tree = dest / "repos" / f"{row.repo.replace('/', '__')}@{row.commit[:10]}"
            if not tree.exists():
                _extract(git, row.commit, [], tree)
    for clean in clean_repos(shared, ours):
        git = git_dir(mirrors, clean.repo)
        if git is None:
            print(f"missing git copy: {clean.repo}", file=sys.stderr)
            missing += 1
            continue
        tree = dest / clean.root / clean.folder
        if tree.exists():
            continue
        paths = [] if clean.paths == ["."] else clean.paths
        count = _extract(git, clean.commit, paths, tree)
        print(f"{clean.repo}: {count} files", file=sys.stderr)
    return 1 if missing else 0


# ---------------------------------------------------------------------------------------- scoring
def lint(paths: Sequence[Path]):
    """Findings of a fresh linter (default configuration, no cache, one process) on the paths."""
    from nnlint.config import Config
    from nnlint.engine import Linter

    return Linter(Config()).lint_paths([str(p) for p in paths])


def python_lines(root: Path) -> int:
    """Lines of Python below root: every .py file, and the code cells of every notebook (they are linted too)."""
    from nnlint.notebooks import NotebookError, read_notebook

    lines = sum(len(p.read_bytes().splitlines()) for p in root.rglob("*.py"))
    for path in root.rglob("*.ipynb"):
        try:
            lines += sum(len(cell.source.splitlines()) for cell in read_notebook(path.read_bytes()).code_cells())
        except NotebookError:
            continue
    return lines


def _relative(path: str, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


@dataclass
class RowResult:
    row: BugRow
    found: bool
    lines: List[int]


def score_bugs(rows: Sequence[BugRow], dest: Path) -> List[RowResult]:
    results: List[RowResult] = []
    tree_findings: Dict[Path, list] = {}
    for row in rows:
        if row.same_file:
            target = buggy_target(row, dest)
            findings = [f for f in lint([target]) if f.code == row.code]
            results.append(RowResult(row, bool(findings), sorted(f.line for f in findings)))
            continue
        tree = dest / "repos" / f"{row.repo.replace('/', '__')}@{row.commit[:10]}"
        if tree not in tree_findings:
            tree_findings[tree] = lint([tree])
        wanted = row.scope_files
        hits = [
            f
            for f in tree_findings[tree]
            if f.code == row.code and any(_relative(f.path, tree).endswith(name) for name in wanted)
        ]
        results.append(RowResult(row, bool(hits), sorted(f.line for f in hits)))
    return results


@dataclass
class CleanResult:
    repo: CleanRepo
    lines: int
    findings: list
    alarms: list
    true: int
    true_by_us: int = 0  # alarms without a shared verdict that our own reading marks TRUE


def score_clean(repos: Sequence[CleanRepo], dest: Path) -> List[CleanResult]:
    results: List[CleanResult] = []
    for clean in repos:
        root = dest / clean.root
        tree = root / clean.folder
        if not tree.exists():
            print(f"not laid out: {tree} (run `layout`)", file=sys.stderr)
            continue
        findings = [f for f in lint([tree]) if ALARM_CODE.match(f.code)]
        alarms, true, true_by_us = [], 0, 0
        for finding in findings:
            key = (_relative(finding.path, root), finding.code)
            verdict = clean.verdicts.get(key)
            if verdict == "TRUE":
                true += 1
            elif verdict is None and clean.our_verdicts.get(key) == "TRUE":
                true_by_us += 1
                alarms.append((finding, "no shared verdict; TRUE by our reading"))
            else:
                alarms.append((finding, verdict))
        results.append(CleanResult(clean, python_lines(tree), findings, alarms, true, true_by_us))
    return results


# ---------------------------------------------------------------------------------------- report
def _ratio(found: int, total: int) -> str:
    return f"{found}/{total}" if total else "—"


def table(bugs: Sequence[RowResult], clean: Sequence[CleanResult], seconds: float) -> str:
    codes = sorted({r.row.code for r in bugs})
    same = [r for r in bugs if r.row.same_file]
    cross = [r for r in bugs if not r.row.same_file]
    lines = ["| code | same-file rows found | cross-file rows found |", "|---|---|---|"]
    for code in codes:
        s = [r for r in same if r.row.code == code]
        c = [r for r in cross if r.row.code == code]
        lines.append(
            f"| {code} | {_ratio(sum(r.found for r in s), len(s))} | {_ratio(sum(r.found for r in c), len(c))} |"
        )
    s_found, c_found = sum(r.found for r in same), sum(r.found for r in cross)
    lines.append(
        f"| **all** | **{s_found}/{len(same)} ({100 * s_found / max(len(same), 1):.0f}%)** "
        f"| **{c_found}/{len(cross)} ({100 * c_found / max(len(cross), 1):.0f}%)** |"
    )
    lines.append("")
    lines.append(
        "| clean set | repositories | lines | NN1xx-NN5xx findings | TRUE | alarms | alarms / 10k lines "
        "| of the alarms, TRUE by our reading (no shared verdict) | alarms / 10k lines after our reading |"
    )
    lines.append("|---|---|---|---|---|---|---|---|---|")
    by_set: Dict[str, List[CleanResult]] = defaultdict(list)
    for result in clean:
        by_set[result.repo.set_name].append(result)
    for name, results in by_set.items():
        total_lines = sum(r.lines for r in results)
        alarms = sum(len(r.alarms) for r in results)
        ours = sum(r.true_by_us for r in results)
        lines.append(
            f"| `{name}` | {len(results)} | {total_lines:,} | {sum(len(r.findings) for r in results)} "
            f"| {sum(r.true for r in results)} | {alarms} | {10000 * alarms / max(total_lines, 1):.2f} "
            f"| {ours} | {10000 * (alarms - ours) / max(total_lines, 1):.2f} |"
        )
    lines.append("")
    lines.append(f"Measured by `python bench/realcode.py` ({time.strftime('%Y-%m-%d')}, {seconds:.0f} s).")
    return "\n".join(lines) + "\n"


def details(bugs: Sequence[RowResult], clean: Sequence[CleanResult]) -> str:
    out: List[str] = []
    for result in bugs:
        mark = "found" if result.found else "MISS "
        where = f" at {','.join(map(str, result.lines))}" if result.lines else ""
        out.append(
            f"{mark} {result.row.code} {'same ' if result.row.same_file else 'cross'} {result.row.file} (bug at "
            f"{result.row.lines}){where}"
        )
    for result in clean:
        for finding, verdict in result.alarms:
            out.append(
                f"alarm {finding.code} {finding.path}:{finding.line}:{finding.column} [{verdict or 'no verdict'}] "
                f"{finding.message}"
            )
    return "\n".join(out)


def write_readme(section: str) -> None:
    text = README.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise SystemExit(f"README.md has no {START} ... {END} section")
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    README.write_text(f"{before}{START}\n{section}{END}{after}", encoding="utf-8")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs="?", default="score", choices=("score", "layout"))
    parser.add_argument("--mirrors", type=Path, help="folder of bare git copies (for layout)")
    parser.add_argument("--dest", type=Path, default=DEST)
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--verbose", "-v", action="store_true", help="print every row and every alarm")
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--only", choices=("bugs", "clean"), help="score one part only (no README update)")
    parser.add_argument("--json", type=Path, help="also write the per-row results as JSON here")
    args = parser.parse_args(argv)
    if args.command == "layout":
        if args.mirrors is None:
            parser.error("layout needs --mirrors")
        return layout(args.mirrors, args.dest, args.shared, OURS)
    started = time.time()
    bugs = score_bugs(bug_rows(args.shared), args.dest) if args.only != "clean" else []
    clean = score_clean(clean_repos(args.shared, OURS), args.dest) if args.only != "bugs" else []
    section = table(bugs, clean, time.time() - started)
    print(section)
    if args.verbose:
        print(details(bugs, clean))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "rows": [
                        {
                            "file": r.row.file,
                            "code": r.row.code,
                            "same_file": r.row.same_file,
                            "found": r.found,
                            "lines": r.lines,
                        }
                        for r in bugs
                    ],
                    "alarms": [
                        {"path": f.path, "line": f.line, "code": f.code, "verdict": v, "message": f.message}
                        for c in clean
                        for f, v in c.alarms
                    ],
                },
                indent=1,
            )
        )
    if not args.no_readme and args.only is None:
        write_readme(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
