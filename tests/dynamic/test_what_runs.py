"""What --dynamic executes: said every time, and never a program a repository's configuration chose alone."""

from __future__ import annotations

import importlib.util
import os
import shlex
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from nnlint.cli import main

needs_torch = [
    pytest.mark.dynamic,
    pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed"),
]

STEP = """
import torch
from torch import nn
model = nn.Linear(4, 2)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for _ in range(3):
    optimizer.zero_grad()
    nn.functional.cross_entropy(model(torch.randn(8, 4)), torch.randint(0, 2, (8,))).backward()
    optimizer.step()
"""


def repository(tmp_path: Path, python: str) -> Path:
    """A cloned repository whose pyproject.toml chooses the interpreter, and ships a program."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "src").mkdir()
    evil = repo / "evil.sh"
    evil.write_text(f"#!/bin/sh\necho ran > {shlex.quote(str(tmp_path / 'ran.txt'))}\n")
    evil.chmod(0o755)
    (repo / "src" / "pyproject.toml").write_text(f"[tool.nnlint.dynamic]\npython = {python!r}\n")
    (repo / "src" / "train.py").write_text(textwrap.dedent(STEP))
    return repo


def run(args):
    result = CliRunner().invoke(main, ["--no-cache", *args])
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in output, output
    return result


@pytest.mark.parametrize("configured", ["../evil.sh", "{repo}/evil.sh", "./link-to-evil"])
def test_a_repository_cannot_choose_the_executable(tmp_path: Path, configured: str) -> None:
    repo = repository(tmp_path, configured.format(repo=tmp_path / "repo"))
    (repo / "src" / "link-to-evil").symlink_to(repo / "evil.sh")
    result = run(["--dynamic", str(repo / "src" / "train.py")])
    assert result.exit_code == 2
    [line] = [line for line in result.stderr.splitlines() if line.strip()]
    assert line.startswith(f"nnlint: error: {repo / 'src' / 'pyproject.toml'}: tool.nnlint.dynamic.python = ")
    assert "names a program inside the repository" in line and "--python " in line
    assert not (tmp_path / "ran.txt").exists()  # nothing was executed


def test_a_virtualenv_inside_the_repository_is_refused_too(tmp_path: Path) -> None:
    repo = repository(tmp_path, ".venv/bin/python")
    (repo / "src" / ".venv" / "bin").mkdir(parents=True)
    (repo / "src" / ".venv" / "bin" / "python").symlink_to(sys.executable)  # its site-packages could run code
    result = run(["--dynamic", str(repo / "src" / "train.py")])
    assert result.exit_code == 2 and "names a program inside the repository" in result.stderr


def test_the_command_line_confirms_a_program_in_the_repository(tmp_path: Path) -> None:
    repo = repository(tmp_path, "../evil.sh")
    result = run(["--dynamic", "--python", str(repo / "evil.sh"), str(repo / "src" / "train.py")])
    assert (tmp_path / "ran.txt").read_text() == "ran\n"  # the user asked for it
    assert result.exit_code == 2 and "without a report" in result.stderr


@pytest.mark.parametrize("configured", [sys.executable, os.path.basename(sys.executable)])
@needs_torch[0]
@needs_torch[1]
def test_an_interpreter_outside_the_repository_may_be_configured(
    tmp_path: Path, configured: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    repo = repository(tmp_path, configured)
    result = run(["--dynamic", "--device", "cpu", str(repo / "src" / "train.py")])
    assert result.exit_code == 0, result.stderr
    notice = result.stderr.splitlines()[0]
    assert (
        notice
        == f"nnlint: dynamic: executing the script: {os.path.abspath(sys.executable)} {repo / 'src' / 'train.py'}"
    )


@needs_torch[0]
@needs_torch[1]
def test_every_run_says_what_it_executes_even_off_a_terminal(tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    path.write_text(textwrap.dedent(STEP))
    result = run(["--dynamic", "--device", "cpu", str(path), "--", "--epochs", "1", "two words"])
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == f"nnlint: dynamic: executing the script: {sys.executable} {path} --epochs 1 'two words'"
    torchrun = run(["--dynamic", "--device", "cpu", "--launcher", "torchrun", "--nproc-per-node", "1", str(path)])
    assert torchrun.stderr.splitlines()[0] == (
        f"nnlint: dynamic: executing the script: {sys.executable} -m torch.distributed.run --standalone "
        f"--nproc-per-node=1 {path}"
    )
