"""bench/holdout.py: rows parsed, repositories laid out from a git copy, findings matched to the row's file."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from bench.holdout import HoldoutRow, holdout_rows, lay_out, reported_lines, round_name, score, summary

HEADER = "file\trepo\tpath\tcommit\tcode\tlines\tjustification\tevidence\tscope\n"

BUGGY = """\
import torch


def train(model, loader, optimizer, criterion):
    for x, y in loader:
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
"""


def test_round_names() -> None:
    assert round_name(Path("bench/realcode/holdout-bugs.tsv")) == "holdout"
    assert round_name(Path("holdout3-bugs.tsv")) == "holdout3"


def test_rows_parsed_with_their_short_names(tmp_path: Path) -> None:
    tsv = tmp_path / "holdout9-bugs.tsv"
    tsv.write_text(
        HEADER + "W01__a__b__train.py\ta/b\tsrc/train.py\t" + "0" * 40 + "\tNN402\t5-8\twhy\thttps://x\tsame-file\n"
    )
    assert holdout_rows(tsv) == [HoldoutRow("W01", "a/b", "src/train.py", "0" * 40, "NN402")]


def test_only_the_rows_code_in_the_rows_file_counts() -> None:
    report = json.dumps(
        [
            {"path": "src/train.py", "line": 8, "code": "NN402"},
            {"path": "src/other.py", "line": 3, "code": "NN402"},
            {"path": "src/train.py", "line": 2, "code": "NN101"},
        ]
    )
    assert reported_lines(report, "src/train.py", "NN402") == [8]
    assert reported_lines(report, "./src/train.py", "NN402") == [8]
    assert reported_lines("not json", "src/train.py", "NN402") == []


def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def test_laid_out_at_the_commit_and_scored(tmp_path: Path) -> None:
    work = tmp_path / "work"
    (work / "src").mkdir(parents=True)
    (work / "src" / "train.py").write_text(BUGGY)
    (work / "README.md").write_text("not python\n")
    _git("init", "-q", cwd=work)
    _git("add", ".", cwd=work)
    _git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "bug", cwd=work)
    buggy = _git("rev-parse", "HEAD", cwd=work)
    fixed = BUGGY.replace("        loss.backward()", "        optimizer.zero_grad()\n        loss.backward()")
    (work / "src" / "train.py").write_text(fixed)
    _git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "fix", cwd=work)
    mirrors = tmp_path / "mirrors"
    (mirrors / "a+b").mkdir(parents=True)
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(mirrors / "a+b" / "repo")], check=True)

    root = tmp_path / "holdout9"
    rows = [HoldoutRow("W01", "a/b", "src/train.py", buggy, "NN402"), HoldoutRow("W02", "c/d", "x.py", buggy, "NN402")]
    assert lay_out(rows[0], root, mirrors) is None
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) == ["a__b/src/train.py"]
    assert "no git copy of c/d" in (lay_out(rows[1], root, mirrors) or "")

    results = score(rows, root, mirrors)
    assert results == {"W01": [8], "W02": None}
    assert summary("holdout9-bugs.tsv", rows, results, verbose=False) == "holdout9-bugs.tsv: 1/2 found; missed: W02"
