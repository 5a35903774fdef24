"""Report formats as users consume them: SARIF checked against the official 2.1.0 schema, GitHub
annotations, --show-source with a caret line, and colour only where it belongs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import List

import pytest

from nnlint.finding import Edit, Finding, Fix, Severity
from nnlint.formatters import FormatOptions, format_findings

jsonschema = pytest.importorskip("jsonschema")

SCHEMA = Path(__file__).with_name("sarif-schema-2.1.0.json")  # the OASIS schema (errata 01), vendored
TRAIN = textwrap.dedent(
    """\
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(20, 10), nn.Softmax(dim=1))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
    """
)


def _run(args: List[str], cwd: Path, **env: str) -> "subprocess.CompletedProcess[str]":
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "nnlint", *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=environment
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "train.py").write_text(TRAIN)
    (tmp_path / "broken.py").write_text("import torch\ndef f(:\n")
    return tmp_path


def _validate(log: dict) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(log), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def test_sarif_from_the_cli_is_valid_and_complete(project: Path) -> None:
    run = _run(["--format", "sarif", "."], project)
    assert run.returncode == 1, run.stderr
    log = json.loads(run.stdout)
    _validate(log)
    assert log["version"] == "2.1.0"
    sarif_run = log["runs"][0]
    rules = {rule["id"]: rule for rule in sarif_run["tool"]["driver"]["rules"]}
    assert set(rules) == {"NN000", "NN201"}
    assert rules["NN201"]["name"] == "softmax-into-cross-entropy"
    assert "## Why is this bad?" in rules["NN201"]["help"]["markdown"]
    by_rule = {result["ruleId"]: result for result in sarif_run["results"]}
    location = by_rule["NN201"]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "pkg/train.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 9, "startColumn": 12, "endLine": 9, "endColumn": 34}
    assert by_rule["NN000"]["level"] == "error"
    assert (
        rules[sarif_run["results"][0]["ruleId"]]
        is sarif_run["tool"]["driver"]["rules"][sarif_run["results"][0]["ruleIndex"]]
    )
    assert by_rule["NN201"]["fixes"][0]["artifactChanges"][0]["replacements"][0]["deletedRegion"]["startLine"] == 4


def test_sarif_edge_cases_stay_valid() -> None:
    findings = [
        Finding(
            "dir with space/ü.py",
            3,
            1,
            "NN201",
            "softmax-into-cross-entropy",
            'multi\nline "message"',
            end_line=5,
            end_column=2,
            evidence={"rows": [0.1, 0.9]},
            confirmed=True,
            fix=Fix("drop it", (Edit(3, 0, 3, 4, ""), Edit(5, 0, 5, 0, "x"))),
        ),
        Finding("/abs/path.py", 1, 1, "NNX001", "third-party", "no documentation here", severity=Severity.INFO),
        Finding("<stdin>", 2, 7, "NN002", "rule-error", "rule crashed", severity=Severity.ERROR),
    ]
    log = json.loads(format_findings("sarif", findings))
    _validate(log)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]]
    assert uris == ["dir%20with%20space/%C3%BC.py", "file:///abs/path.py", "%3Cstdin%3E"]
    _validate(json.loads(format_findings("sarif", [])))


def test_github_annotations(project: Path) -> None:
    run = _run(["--format", "github", "pkg"], project)
    assert run.stdout.splitlines() == [
        "::warning file=pkg/train.py,line=9,col=12,endLine=9,endColumn=34,title=NN201 softmax-into-cross-entropy::"
        "NN201 CrossEntropyLoss receives the model's output after softmax (line 4); it applies log-softmax itself, "
        "so pass the raw logits"
    ]
    escaped = format_findings(
        "github", [Finding("a,b:c.py", 1, 1, "NN000", "syntax-error", "50% bad\nsecond line", severity=Severity.ERROR)]
    )
    assert (
        escaped == "::error file=a%2Cb%3Ac.py,line=1,col=1,endLine=1,endColumn=1,title=NN000 syntax-error::NN000 50%25 "
        "bad%0Asecond line\n"
    )


def test_show_source_draws_a_caret_line(project: Path) -> None:
    run = _run(["--show-source", "pkg"], project)
    lines = run.stdout.splitlines()
    assert lines[1] == "        loss = criterion(model(x), y)"
    assert lines[2] == "               " + "^" * len("criterion(model(x), y)")


def test_show_source_for_stdin_and_tabs() -> None:
    finding = Finding("<stdin>", 2, 3, "NN201", "n", "m", end_line=2, end_column=6)
    text = format_findings("text", [finding], FormatOptions(show_source=True, sources={"<stdin>": "a\n\tx(yz)\n"}))
    assert text.splitlines()[1:] == ["    \tx(yz)", "    \t ^^^"]


def test_colour_only_on_a_terminal(project: Path) -> None:
    assert "\x1b[" not in _run(["pkg"], project).stdout  # a pipe: no colour
    assert "\x1b[" in _run(["--color", "always", "pkg"], project).stdout
    assert "\x1b[" not in _run(["--color", "always", "--format", "json", "pkg"], project).stdout
    assert "\x1b[" not in _run(["pkg"], project, FORCE_COLOR="1", NO_COLOR="1").stdout
    assert "\x1b[" in _run(["pkg"], project, FORCE_COLOR="1").stdout


def test_colour_by_default_when_the_report_goes_to_a_terminal(project: Path) -> None:
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environment["TERM"] = "xterm"
    process = subprocess.Popen(
        [sys.executable, "-m", "nnlint", "pkg"], cwd=project, stdout=slave, stderr=subprocess.PIPE, env=environment
    )
    os.close(slave)
    process.wait(timeout=120)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    terminal = b"".join(chunks).decode("utf-8", "replace")
    assert "NN201" in terminal and "\x1b[" in terminal


def test_each_format_is_imported_when_first_used_and_registers_under_its_name() -> None:
    probe = (
        "import sys\n"
        "from nnlint.formatters import FORMAT_MODULES, FORMATTERS, format_findings\n"
        "from nnlint.finding import Finding\n"
        "assert not FORMATTERS, sorted(FORMATTERS)\n"
        "for name, module in sorted(FORMAT_MODULES.items()):\n"
        "    assert 'nnlint.formatters.' + module not in sys.modules or name == 'text', name\n"
        "    format_findings(name, [Finding('a.py', 1, 1, 'NN201', 'n', 'm')])\n"
        "    assert FORMATTERS[name].__module__ == 'nnlint.formatters.' + module, name\n"
        "print(len(FORMATTERS))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["10"]
