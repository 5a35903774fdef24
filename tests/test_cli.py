"""The command line as users drive it: exit codes, formats, selection, configuration, suppression."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import List

import pytest
from click.testing import CliRunner

from nnlint.cli import main

BUGGY = textwrap.dedent(
    """
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


def run(args: List[str], cwd: Path) -> "subprocess.CompletedProcess[str]":
    return subprocess.run([sys.executable, "-m", "nnlint", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "train.py").write_text(BUGGY)
    (tmp_path / "clean.py").write_text("import torch\nx = torch.zeros(3)\n")
    return tmp_path


def test_text_output_and_exit_codes(project: Path) -> None:
    result = run(["train.py"], project)
    assert result.returncode == 1, result.stderr
    line = result.stdout.strip()
    assert line.startswith("train.py:10:12: NN201 "), line
    clean = run(["clean.py"], project)
    assert clean.returncode == 0 and clean.stdout == ""


def test_json_schema(project: Path) -> None:
    result = run(["--format", "json", "train.py"], project)
    records = json.loads(result.stdout)
    assert len(records) == 1
    record = records[0]
    for key in (
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "code",
        "name",
        "message",
        "severity",
        "source",
        "confirmed",
        "evidence",
    ):
        assert key in record
    assert record["code"] == "NN201" and record["name"] == "softmax-into-cross-entropy"
    assert record["source"] == "static" and record["confirmed"] is None
    assert (record["line"], record["column"]) == (10, 12)
    assert record["end_line"] >= record["line"]


def test_directory_and_statistics(project: Path) -> None:
    result = run([".", "--statistics"], project)
    assert result.returncode == 1
    assert "NN201 softmax-into-cross-entropy" in result.stdout.splitlines()[-1]


def test_select_and_ignore(project: Path) -> None:
    assert run(["--ignore", "NN201", "train.py"], project).returncode == 0
    assert run(["--select", "NN2", "train.py"], project).returncode == 1
    assert run(["--select", "NN1", "train.py"], project).returncode == 0


def test_unknown_code_is_a_usage_error(project: Path) -> None:
    result = run(["--select", "XYZ9", "train.py"], project)
    assert result.returncode == 2
    assert "unknown rule code" in result.stderr and "Traceback" not in result.stderr


def test_missing_path(project: Path) -> None:
    result = run(["nope.py"], project)
    assert result.returncode == 2 and "no such file" in result.stderr


def test_noqa(project: Path) -> None:
    source = BUGGY.replace("loss = criterion(model(x), y)", "loss = criterion(model(x), y)  # noqa: NN201")
    (project / "train.py").write_text(source)
    assert run(["train.py"], project).returncode == 0
    (project / "train.py").write_text(
        BUGGY.replace("loss = criterion(model(x), y)", "loss = criterion(model(x), y)  # noqa")
    )
    assert run(["train.py"], project).returncode == 0
    (project / "train.py").write_text(
        BUGGY.replace("loss = criterion(model(x), y)", "loss = criterion(model(x), y)  # noqa: NN101")
    )
    assert run(["train.py"], project).returncode == 1
    (project / "train.py").write_text("# nnlint: skip-file\n" + BUGGY)
    assert run(["train.py"], project).returncode == 0
    (project / "train.py").write_text("# nnlint: ignore-file: NN201\n" + BUGGY)
    assert run(["train.py"], project).returncode == 0


def test_pyproject_configuration(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.nnlint]\nignore = ["NN201"]\n')
    assert run(["train.py"], project).returncode == 0
    (project / "pyproject.toml").write_text('[tool.nnlint]\nper-file-ignores = { "train.py" = ["NN2"] }\n')
    assert run(["."], project).returncode == 0
    (project / "pyproject.toml").write_text('[tool.nnlint]\nexclude = ["train.py"]\n')
    assert run(["."], project).returncode == 0


@pytest.mark.parametrize(
    "table,key",
    [
        ('[tool.nnlint]\nselekt = ["NN2"]\n', "tool.nnlint.selekt"),
        ('[tool.nnlint]\nignore = "NN201"\n', "tool.nnlint.ignore"),
        ('[tool.nnlint]\nper-file-ignores = ["x"]\n', "tool.nnlint.per-file-ignores"),
        ("[tool.nnlint\n", "invalid TOML"),
    ],
)
def test_bad_configuration_names_the_key(project: Path, table: str, key: str) -> None:
    (project / "pyproject.toml").write_text(table)
    result = run(["train.py"], project)
    assert result.returncode == 2
    assert key in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_syntax_error_is_a_finding_and_the_run_goes_on(project: Path) -> None:
    (project / "broken.py").write_text("import torch\ndef f(:\n    pass\n")
    result = run(["."], project)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any(line.startswith("broken.py:2:") and " NN000 " in line for line in lines), lines
    assert any(" NN201 " in line for line in lines)


def test_explain_and_rules() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["explain", "NN201"])
    assert result.exit_code == 0
    assert "softmax-into-cross-entropy" in result.output and "## Use instead" in result.output
    by_name = runner.invoke(main, ["explain", "softmax-into-cross-entropy"])
    assert by_name.exit_code == 0 and "NN201" in by_name.output
    assert runner.invoke(main, ["explain", "NN999"]).exit_code == 2
    listing = runner.invoke(main, ["rules"])
    assert listing.exit_code == 0 and "NN201" in listing.output and "NN000" in listing.output


def test_stdin(project: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "nnlint", "-", "--stdin-filename", "from_editor.py"],
        input=BUGGY,
        capture_output=True,
        text=True,
        cwd=project,
        timeout=120,
    )
    assert result.returncode == 1 and result.stdout.startswith("from_editor.py:10:12: NN201")


def test_static_pass_does_not_import_torch(project: Path) -> None:
    code = (
        "import sys\nfrom nnlint.cli import main\n"
        "try:\n    main(['train.py'])\nexcept SystemExit:\n    pass\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\nprint('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True, timeout=120)
    assert result.stdout.strip().endswith("ok"), result.stderr
