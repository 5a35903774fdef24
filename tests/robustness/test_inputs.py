"""Hostile inputs: each gives a clear finding or message, never a traceback, and the run goes on."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, Sequence

import pytest
from click.testing import CliRunner

from nnlint.cli import main
from nnlint.config import Config
from nnlint.engine import Linter

TRAINING = (
    "import torch\n"
    "import torch.nn as nn\n"
    "model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))\n"
    "criterion = nn.CrossEntropyLoss()\n"
    "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
    "for x, y in [(torch.randn(2, 4), torch.tensor([0, 1]))]:\n"
    "    optimizer.zero_grad()\n"
    "    loss = criterion(model(x), y)\n"
    "    loss.backward()\n"
    "    optimizer.step()\n"
)
CLEAN = "import torch\nx = torch.zeros(3)\n"


def lint(paths: Sequence[Path], jobs: int = 1) -> List:
    linter = Linter(Config())
    linter.jobs = jobs
    return linter.lint_paths([str(p) for p in paths])


def by_file(findings, path: Path) -> List[str]:
    return sorted(f.code for f in findings if f.path == str(path))


def summary(findings, path: Path) -> List[tuple]:
    return sorted((f.line, f.column, f.code) for f in findings if f.path == str(path))


def cli(args: Sequence[str]):
    result = CliRunner().invoke(main, list(args))
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in output, output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def test_training_snippet_has_a_finding(tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    path.write_text(TRAINING)
    assert "NN201" in by_file(lint([path]), path)


@pytest.mark.parametrize(
    "name, data, expected",
    [
        ("bad_utf8.py", b"import torch\nx = '\xff\xfe'\n", "NN000"),
        ("unknown_codec.py", b"# -*- coding: no-such-codec -*-\nimport torch\n", "NN000"),
        ("null_byte.py", b"import torch\nx = 1\x00\n", "NN000"),
        ("tab_error.py", b"import torch\nif True:\n        x = 1\n\ty = 2\n", "NN000"),
        ("syntax.py", b"import torch\ndef f(:\n", "NN000"),
        ("skipped_syntax.py", b"import os\ndef f(:\n", "NN000"),  # filtered out as non-training, still reported
        ("latin1.py", "# -*- coding: latin-1 -*-\nimport torch\nname = 'caf\xe9'\n".encode("latin-1"), None),
        ("empty.py", b"", None),
        ("only_comment.py", b"# nothing here", None),
        ("no_newline.py", b"import torch\nx = torch.zeros(1)", None),
        ("tabs.py", b"import torch\nif True:\n\tx = torch.zeros(1)\n", None),
        ("form_feed.py", b"import torch\n\x0c\nx = 1\n", None),
        ("lone_cr.py", b"import torch\rx = 1\r", None),
    ],
)
def test_odd_files_give_a_finding_or_nothing(tmp_path: Path, name: str, data: bytes, expected) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    neighbour = tmp_path / "zz_train.py"
    neighbour.write_text(TRAINING)
    findings = lint([path, neighbour])
    assert by_file(findings, path) == ([expected] if expected else [])
    assert "NN201" in by_file(findings, neighbour)  # the run went on
    assert all(f.line >= 1 and f.column >= 1 for f in findings)


def test_bom_and_crlf_do_not_change_findings(tmp_path: Path) -> None:
    plain = tmp_path / "plain.py"
    plain.write_text(TRAINING)
    bom = tmp_path / "bom.py"
    bom.write_bytes(b"\xef\xbb\xbf" + TRAINING.encode())
    crlf = tmp_path / "crlf.py"
    crlf.write_bytes(TRAINING.replace("\n", "\r\n").encode())
    findings = lint([plain, bom, crlf])
    assert summary(findings, plain) == summary(findings, bom) == summary(findings, crlf)
    assert summary(findings, plain)


def test_huge_and_deeply_nested_files(tmp_path: Path) -> None:
    long_file = tmp_path / "long.py"
    long_file.write_text("import torch\n" + "".join(f"x{i} = torch.zeros({i % 7})\n" for i in range(2000)))
    long_line = tmp_path / "long_line.py"
    long_line.write_text("import torch\nx = [" + ", ".join(str(i) for i in range(10000)) + "]\n")
    nested = tmp_path / "nested.py"
    nested.write_text("import torch\nx = " + "[" * 400 + "]" * 400 + "\n")
    deep_blocks = tmp_path / "deep_blocks.py"
    deep_blocks.write_text(
        "import torch\n" + "".join("    " * i + "if x:\n" for i in range(90)) + "    " * 90 + "pass\n"
    )
    findings = lint([long_file, long_line, nested, deep_blocks])
    assert not [f for f in findings if f.code == "NN002"]
    assert by_file(findings, long_file) == [] and by_file(findings, long_line) == []
    assert set(by_file(findings, nested)) <= {"NN000"}  # too deep for the parser is a syntax finding, not a crash


def test_symlink_loops_and_dangling_links(tmp_path: Path) -> None:
    (tmp_path / "loop_a.py").symlink_to(tmp_path / "loop_b.py")
    (tmp_path / "loop_b.py").symlink_to(tmp_path / "loop_a.py")
    (tmp_path / "dangling.py").symlink_to(tmp_path / "missing.py")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to(tmp_path, target_is_directory=True)  # a directory loop
    train = tmp_path / "sub" / "train.py"
    train.write_text(TRAINING)
    findings = lint([tmp_path])
    assert by_file(findings, tmp_path / "loop_a.py") == ["NN000"]
    assert by_file(findings, tmp_path / "dangling.py") == ["NN000"]
    assert "NN201" in by_file(findings, train)
    assert all("Too many levels" in f.message or "No such file" in f.message for f in findings if f.code == "NN000")


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "secret.py"
    secret.write_text(TRAINING)
    train = tmp_path / "train.py"
    train.write_text(TRAINING)
    real_open = open

    def refusing_open(path, *args, **kwargs):
        if str(path) == str(secret):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    import nnlint.engine

    monkeypatch.setattr(nnlint.engine, "open", refusing_open, raising=False)
    findings = lint([secret, train])
    [finding] = [f for f in findings if f.path == str(secret)]
    assert finding.code == "NN000" and "Permission denied" in finding.message
    assert "NN201" in by_file(findings, train)


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root reads any file")
def test_unreadable_file_for_real(tmp_path: Path) -> None:
    secret = tmp_path / "secret.py"
    secret.write_text(TRAINING)
    secret.chmod(0)
    assert by_file(lint([secret]), secret) == ["NN000"]


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file systems reject non-UTF-8 names")
def test_non_utf8_path(tmp_path: Path) -> None:
    folder = os.fsencode(tmp_path)
    bad_name = os.path.join(folder, b"bad\xff_train.py")
    with open(bad_name, "wb") as handle:
        handle.write(TRAINING.encode())
    broken = os.path.join(folder, b"broken\xfe.py")
    with open(broken, "wb") as handle:
        handle.write(b"import torch\ndef f(:\n")
    findings = lint([tmp_path])
    assert sorted(f.code for f in findings if f.code in ("NN000", "NN201")) == ["NN000", "NN201"]
    for output_format in ("text", "json"):
        result = cli(["--no-cache", "--jobs", "1", "--format", output_format, str(tmp_path)])
        assert result.exit_code == 1
        assert "NN201" in result.output and "NN000" in result.output


def test_parallel_run_matches_serial_run_on_odd_inputs(tmp_path: Path) -> None:
    for index in range(6):
        (tmp_path / f"train{index}.py").write_text(TRAINING if index % 2 else CLEAN)
    (tmp_path / "broken.py").write_bytes(b"import torch\nx = (\n")
    (tmp_path / "null.py").write_bytes(b"import torch\x00\n")
    serial = [f.to_dict() for f in lint([tmp_path], jobs=1)]
    parallel = [f.to_dict() for f in lint([tmp_path], jobs=2)]
    assert serial == parallel and serial


# ------------------------------------------------------------------------- configuration errors
@pytest.mark.parametrize(
    "pyproject, needle",
    [
        ("[tool.nnlint\nselect = [", "invalid TOML"),
        ("[tool.nnlint]\nselect = 'NN201'\n", "select"),
        ("[tool.nnlint]\nno_such_setting = 1\n", "no_such_setting"),
        ("[tool.nnlint.no_such_plugin]\nthreshold = 1\n", "no_such_plugin"),
        ("[tool.nnlint]\nselect = ['NN999']\n", "NN999"),
    ],
)
def test_configuration_errors_are_one_line_and_exit_2(tmp_path: Path, pyproject: str, needle: str) -> None:
    (tmp_path / "pyproject.toml").write_text(pyproject)
    (tmp_path / "train.py").write_text(TRAINING)
    result = cli(["--no-cache", str(tmp_path / "train.py")])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("nnlint: error:") and needle in lines[0], result.output


@pytest.mark.parametrize("option", ["--select", "--ignore", "--extend-select"])
def test_unknown_codes_on_the_command_line(tmp_path: Path, option: str) -> None:
    (tmp_path / "train.py").write_text(TRAINING)
    result = cli(["--no-cache", option, "NN201,XY123", str(tmp_path / "train.py")])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "XY123" in lines[0]


def test_bad_jobs_value_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(TRAINING)
    result = cli(["--jobs", "-3", str(tmp_path / "train.py")])
    assert result.exit_code == 2
