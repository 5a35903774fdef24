"""The progress line: on a terminal's stderr for large trees, never in a pipe, never in the report."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nnlint.terminal import MIN_FILES_FOR_PROGRESS, Progress

pty = pytest.importorskip("pty")


def _tree(root: Path, count: int) -> Path:
    for index in range(count):
        (root / f"m{index:03d}.py").write_text(f"import torch\nx{index} = torch.zeros({index})\n")
    return root


def _run_with_terminal_stderr(root: Path) -> "tuple[str, str]":
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm"}
    process = subprocess.Popen(
        [sys.executable, "-m", "nnlint", "."], cwd=root, stdout=subprocess.PIPE, stderr=slave, env=env
    )
    os.close(slave)
    stdout, _ = process.communicate(timeout=180)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO once the child side is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return stdout.decode(), b"".join(chunks).decode("utf-8", "replace")


def test_progress_on_a_terminal_for_a_large_tree(tmp_path: Path) -> None:
    count = MIN_FILES_FOR_PROGRESS + 5
    stdout, terminal = _run_with_terminal_stderr(_tree(tmp_path, count))
    assert f"nnlint: [{count}/{count}]" in terminal
    assert terminal.endswith("\r\x1b[K")  # the line is erased before the report
    assert stdout == ""  # clean tree; the progress never reaches the report


def test_no_progress_in_a_pipe_or_for_a_small_tree(tmp_path: Path) -> None:
    _tree(tmp_path, MIN_FILES_FOR_PROGRESS + 5)
    piped = subprocess.run(
        [sys.executable, "-m", "nnlint", "."], cwd=tmp_path, capture_output=True, text=True, timeout=180
    )
    assert piped.stderr == "" and piped.returncode == 0
    small = tmp_path / "small"
    small.mkdir()
    _, terminal = _run_with_terminal_stderr(_tree(small, 3))
    assert "nnlint: [" not in terminal


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_redraws_are_throttled_but_the_last_one_is_shown() -> None:
    stream = _Terminal()
    progress = Progress(stream, min_files=2)
    for done in range(1, 101):
        progress(done, 100, f"f{done}.py")
    progress.close()
    text = stream.getvalue()
    assert text.count("\r\x1b[K") < 20
    assert "[100/100] f100.py" in text and text.endswith("\r\x1b[K")
