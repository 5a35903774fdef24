"""The formats beyond text/json/sarif/github: json-lines, junit, gitlab, pylint, grouped, rdjson; fix edits
in JSON with 1-based columns, as findings have; and ``nnlint rules --format json``."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from tests.cli.helpers import BUGGY, run

MESSAGE = "CrossEntropyLoss receives the model's output after softmax"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "train.py").write_text(BUGGY)
    (tmp_path / "other.py").write_text(BUGGY)
    (tmp_path / "clean.py").write_text("x = 1\n")
    return tmp_path


def _out(fmt: str, project: Path, *paths: str) -> str:
    result = run(["--format", fmt, *(paths or ("train.py", "other.py"))], project)
    assert result.returncode in (0, 1) and result.stderr == "", result.stderr
    return result.stdout


def test_json_lines(project: Path) -> None:
    records = [json.loads(line) for line in _out("json-lines", project).splitlines()]
    assert [(r["path"], r["line"], r["column"], r["code"]) for r in records] == [
        ("other.py", 10, 12, "NN201"),
        ("train.py", 10, 12, "NN201"),
    ]
    assert _out("json-lines", project, "clean.py") == ""


def test_junit(project: Path) -> None:
    root = ElementTree.fromstring(_out("junit", project))
    assert root.tag == "testsuites" and root.get("failures") == "2"
    suites = root.findall("testsuite")
    assert [suite.get("name") for suite in suites] == ["other.py", "train.py"]
    case = suites[1].find("testcase")
    assert (
        case is not None
        and case.get("name") == "nnlint.NN201"
        and case.get("line") == "10"
        and case.get("column") == "12"
    )
    failure = case.find("failure")
    assert failure is not None and failure.text is not None and failure.text.startswith(f"line 10, col 12: {MESSAGE}")
    clean = ElementTree.fromstring(_out("junit", project, "clean.py"))
    assert clean.get("failures") == "0" and clean.find("testsuite/testcase") is not None


def test_gitlab_code_quality(project: Path) -> None:
    issues = json.loads(_out("gitlab", project))
    assert [issue["location"] for issue in issues] == [
        {"path": "other.py", "lines": {"begin": 10, "end": 10}},
        {"path": "train.py", "lines": {"begin": 10, "end": 10}},
    ]
    assert all(
        issue["check_name"] == "NN201" and issue["severity"] == "minor" and MESSAGE in issue["description"]
        for issue in issues
    )
    assert len({issue["fingerprint"] for issue in issues}) == 2  # unique per issue
    moved = BUGGY.replace("import torch\n", "import torch\n\n\n", 1)
    (project / "train.py").write_text(moved)
    assert json.loads(_out("gitlab", project))[1]["fingerprint"] == issues[1]["fingerprint"]  # stable when lines move


def test_pylint(project: Path) -> None:
    [line] = _out("pylint", project, "train.py").splitlines()
    assert line.startswith(f"train.py:10: [NN201(softmax-into-cross-entropy)] {MESSAGE}")


def test_grouped(project: Path) -> None:
    lines = _out("grouped", project).splitlines()
    assert lines[0] == "other.py" and lines[1].startswith(f"  10:12 NN201 {MESSAGE}") and lines[2] == ""
    assert lines[3] == "train.py" and lines[4].startswith("  10:12 NN201 ")


def test_rdjson(project: Path) -> None:
    document = json.loads(_out("rdjson", project, "train.py"))
    assert document["source"]["name"] == "nnlint"
    [diagnostic] = document["diagnostics"]
    assert diagnostic["code"]["value"] == "NN201" and diagnostic["location"]["path"] == "train.py"
    assert diagnostic["location"]["range"]["start"] == {"line": 10, "column": 12}
    [suggestion] = diagnostic["suggestions"]
    lines = BUGGY.splitlines()
    start, end = suggestion["range"]["start"], suggestion["range"]["end"]
    assert start["line"] == end["line"] == 5
    assert lines[4][start["column"] - 1 : end["column"] - 1] == "nn.Sequential(nn.Linear(20, 10), nn.Softmax(dim=1))"


def test_json_fix_edits_use_one_based_columns(project: Path) -> None:
    [record] = json.loads(_out("json", project, "train.py"))
    [edit] = record["fix"]["edits"]
    line = BUGGY.splitlines()[edit["line"] - 1]
    assert line[edit["column"] - 1 : edit["end_column"] - 1] == "nn.Sequential(nn.Linear(20, 10), nn.Softmax(dim=1))"
    assert edit["replacement"] == "nn.Sequential(nn.Linear(20, 10))"


def test_statistics_follow_a_grouped_report(project: Path) -> None:
    result = run(["--format", "grouped", "--statistics", "train.py"], project)
    assert result.stdout.splitlines()[-1] == "1     NN201 softmax-into-cross-entropy"


def test_rules_as_json(project: Path) -> None:
    result = run(["rules", "--format", "json"], project)
    records = {record["code"]: record for record in json.loads(result.stdout)}
    assert records["NN201"]["name"] == "softmax-into-cross-entropy" and records["NN201"]["kind"] in (
        "static",
        "static+dynamic",
    )
    assert records["NN406"]["options"]["max_lr"] == {"default": {}, "type": "a table of numbers"}
    assert records["NN406"]["documentation"].startswith("## What it does")
    assert records["NN002"]["kind"] == "core"


def test_show_source_shows_every_line_of_a_multi_line_finding() -> None:
    from nnlint.finding import Finding
    from nnlint.formatters.text import source_excerpt

    lines = ["loss = criterion(", "    model(x),", "    y)", "after = 1"]
    finding = Finding("a.py", 1, 8, "NN201", "n", "m", end_line=3, end_column=7)
    assert source_excerpt(finding, lines) == [
        "    loss = criterion(",
        "           ^^^^^^^^^^",
        "        model(x),",
        "        ^^^^^^^^^",
        "        y)",
        "        ^^",
    ]
    one = Finding("a.py", 4, 1, "NN201", "n", "m", end_line=4, end_column=6)
    assert source_excerpt(one, lines) == ["    after = 1", "    ^^^^^"]


def test_explain_repeats_no_heading(project: Path) -> None:
    import re

    from nnlint.registry import load_registry

    registry = load_registry()
    both = sorted(set(registry.rules) & set(registry.probes))
    assert both, "no code has both a rule and a probe"
    for code in both[:3]:
        text = run(["explain", code], project).stdout
        headings = re.findall(r"^#+ .*$", text, re.M)
        assert len(headings) == len(set(h.lstrip("# ") for h in headings)), (code, headings)
        assert "## At run time (`--dynamic`)" in headings and "### Example (at run time)" in headings
