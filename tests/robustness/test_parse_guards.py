"""Parse-time guards and odd inputs: what Python rejects is NN000 at once, files over a limit are skipped
with a note, no file takes longer than its budget; future statements, undecodable bytes (on stdin too)
and non-UTF-8 file names are reported where and as they are."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import sysconfig
import time
from pathlib import Path
from typing import Dict, List, Sequence

import pytest
from click.testing import CliRunner

from nnlint.cli import main
from nnlint.config import Config
from nnlint.engine import Linter
from nnlint.limits import Limits, read_at_most
from nnlint.registry import load_registry
from nnlint.rule import Rule
from tests.robustness.test_inputs import TRAINING

LOOP_HEAD = "import torch\nfor x in y:\n    loss.backward()\n    optimizer.step()\n"


def cli(args: Sequence[str], stdin: bytes = b"", env: Dict[str, str] = None):
    result = CliRunner().invoke(main, ["--no-cache", "--jobs", "1", *args], input=stdin, env=env)
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in output, output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def positions(findings) -> List[tuple]:
    return sorted((Path(f.path).name, f.line, f.column, f.code) for f in findings)


# ---------------------------------------------------------------------------------------------- item 12
@pytest.mark.parametrize("links", [4000, 20000])
def test_chains_python_rejects_are_nn000_at_once(tmp_path: Path, links: int) -> None:
    path = tmp_path / "chain.py"
    path.write_text("import torch\nx = torch" + ".a" * links + "\n")
    started = time.monotonic()
    [finding] = Linter(Config()).lint_file(str(path))
    assert time.monotonic() - started < 3  # was 7 s for 4,000 links and over 3 minutes for 20,000
    assert (finding.line, finding.column, finding.code) == (1, 1, "NN000")
    assert finding.message == "Python cannot compile this file: it is nested too deeply (RecursionError)"


def test_nesting_python_rejects_is_its_syntax_error_in_training_code(tmp_path: Path) -> None:
    path = tmp_path / "nested.py"
    path.write_text(LOOP_HEAD + "    x = " + "[" * 500 + "]" * 500 + "\n")
    started = time.monotonic()
    [finding] = Linter(Config()).lint_file(str(path))
    assert time.monotonic() - started < 3
    assert (finding.line, finding.column, finding.code, finding.message) == (
        5,
        209,
        "NN000",
        "SyntaxError: too many nested parentheses",
    )


def test_a_file_over_the_depth_limit_is_skipped_with_a_note(tmp_path: Path) -> None:
    deep = tmp_path / "deep.py"
    deep.write_text(LOOP_HEAD + "    x = 1" + " + 1" * 1000 + "\n")  # Python accepts it; recursive rules would not
    shallow = tmp_path / "train.py"
    shallow.write_text(TRAINING)
    result = cli([str(deep), str(shallow)])
    assert result.exit_code == 1
    assert f"{deep}:" not in result.stdout and f"{shallow}:" in result.stdout and "NN002" not in result.stdout
    assert result.stderr.splitlines() == [f"nnlint: note: {deep}: skipped: nested deeper than max-depth (300 levels)"]


def test_the_limits_are_configurable(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.nnlint]\nmax-depth = 400\nmax-file-size = 1000\n")
    deep = tmp_path / "deep.py"
    deep.write_text(LOOP_HEAD + "    x = " + "-" * 350 + "1\n")  # 420 bytes, 356 levels
    big = tmp_path / "big.py"
    big.write_text(TRAINING + "# padding\n" * 100)
    result = cli([str(deep), str(big)])
    assert [line.split(":")[1:4] for line in result.stdout.splitlines()] == [
        ["4", "5", " NN402 gradients are never cleared in the training loop at line 2"]
    ]
    assert result.stderr.splitlines() == [f"nnlint: note: {big}: skipped: larger than max-file-size (1000 bytes)"]
    (tmp_path / "pyproject.toml").write_text("[tool.nnlint]\nmax-depth = 0\nmax-file-size = 0\n")  # 0: no limit
    assert "NN201" in cli([str(big)]).stdout


def test_a_file_over_the_default_size_limit_is_skipped_and_the_run_goes_on(tmp_path: Path) -> None:
    big = tmp_path / "big.py"
    big.write_text("import torch\n" + "x = 1\n" * 400_000)  # 2.4 MB
    train = tmp_path / "train.py"
    train.write_text(TRAINING)
    result = cli([str(tmp_path)])
    assert "NN201" in result.stdout and "big.py" not in result.stdout
    assert f"nnlint: note: {big}: skipped: larger than max-file-size (2000000 bytes)" in result.stderr


class _Growing:
    """A file longer when read than its stat (``stated``, a real file's descriptor) said: written to meanwhile."""

    def __init__(self, data: bytes, stated: int) -> None:
        self.data, self.stated, self.at = data, stated, 0

    def fileno(self) -> int:
        return self.stated

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.at + size
        chunk, self.at = self.data[self.at : end], min(end, len(self.data))
        return chunk


def test_a_file_is_read_up_to_one_byte_over_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_bytes(b"x" * 100)
    for limit, expected in ((0, 100), (1000, 100), (100, 100), (99, 100), (10, 11)):
        with open(path, "rb") as handle:
            assert len(read_at_most(handle, limit)) == expected, limit
    with open(path, "rb") as stated:  # 100 bytes by its stat, more when read: still limit + 1 at most
        assert len(read_at_most(_Growing(b"y" * 500, stated.fileno()), 300)) == 301
        assert read_at_most(_Growing(b"y" * 250, stated.fileno()), 300) == b"y" * 250


@pytest.mark.parametrize("value, shown", [('"x"', "'x'"), ("-1", "-1"), ("true", "True"), ("[1]", "[1]")])
def test_a_bad_limit_is_one_line_and_exit_2(tmp_path: Path, value: str, shown: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.nnlint]\nmax-depth = {value}\n")
    (tmp_path / "train.py").write_text(TRAINING)
    result = cli([str(tmp_path / "train.py")])
    assert result.exit_code == 2
    assert [line for line in result.output.splitlines() if line] == [
        f"nnlint: error: {tmp_path / 'pyproject.toml'}: tool.nnlint.max-depth must be a whole number, 0 or more "
        f"(0: no limit), not {shown}"
    ]


class _Endless(Rule):
    """A rule that never returns (stands in for any analysis that runs away)."""

    code = "NN990"
    name = "endless"
    summary = "never returns"

    def check(self, ctx) -> None:
        while True:
            pass


class _Sleeper(_Endless):
    code = "NN991"
    name = "sleeper"

    def check(self, ctx) -> None:
        time.sleep(60)


@pytest.mark.parametrize("rule", [_Endless, _Sleeper])
def test_no_file_takes_longer_than_its_budget(tmp_path: Path, rule: type) -> None:
    registry = dataclasses.replace(load_registry(), rules={rule.code: rule})  # a copy: the loaded one is shared
    config = Config(limits=Limits(file_timeout=0.5))
    stuck = tmp_path / "stuck.py"
    stuck.write_text(TRAINING)
    other = tmp_path / "other.py"
    other.write_text(TRAINING)
    started = time.monotonic()
    findings = Linter(config, registry).lint_paths([str(stuck), str(other)])
    assert time.monotonic() - started < 5
    assert [(Path(f.path).name, f.line, f.column, f.code, f.message) for f in findings] == [
        (name, 1, 1, "NN002", "analysing this file took more than 0.5 s and was abandoned (tool.nnlint.file-timeout)")
        for name in ("other.py", "stuck.py")
    ]


# ---------------------------------------------------------------------------------------------- item 13
FUTURE_ERRORS = [
    ("from __future__ import braces\n", 1, "SyntaxError: not a chance"),
    ("from __future__ import *\n", 1, "SyntaxError: future feature * is not defined"),
    (
        "from __future__ import nested_scopes, rested_snopes\n",
        1,
        "SyntaxError: future feature rested_snopes is not defined",
    ),
    (
        '"""doc"""\nimport os\nfrom __future__ import annotations\n',
        3,
        "SyntaxError: from __future__ imports must occur at the beginning of the file",
    ),
]


@pytest.mark.parametrize("source, line, message", FUTURE_ERRORS)
@pytest.mark.parametrize("training", [True, False], ids=["training", "filtered"])
def test_future_statement_errors_are_nn000(
    tmp_path: Path, source: str, line: int, message: str, training: bool
) -> None:
    path = tmp_path / "future.py"
    path.write_text(source + ("import torch\n" + TRAINING if training else "import os\n"))
    [finding] = [f for f in Linter(Config()).lint_file(str(path)) if f.code == "NN000"]
    assert (finding.line, finding.column, finding.message) == (line, 1, message)


def test_a_valid_future_import_is_no_finding(tmp_path: Path) -> None:
    path = tmp_path / "fine.py"
    path.write_text('"""doc"""\nfrom __future__ import annotations, division\n' + TRAINING)
    assert "NN000" not in [f.code for f in Linter(Config()).lint_file(str(path))]


def test_the_standard_librarys_future_statement_error_files() -> None:
    folder = Path(sysconfig.get_paths()["stdlib"]) / "test" / "test_future_stmt"
    files = sorted(folder.glob("badsyntax_future*.py"))
    if not files:
        pytest.skip("this Python ships without its test suite")
    findings = Linter(Config()).lint_paths([str(p) for p in files])
    assert sorted(Path(f.path).name for f in findings if f.code == "NN000") == [p.name for p in files]


UNDECODABLE = b"import torch\nx = 1\ny = 'caf\xe9 \xff'\n"


def test_an_undecodable_byte_is_reported_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "latin.py"
    path.write_bytes(UNDECODABLE)
    [finding] = Linter(Config()).lint_file(str(path))
    assert (finding.line, finding.column, finding.code) == (3, 9, "NN000")
    assert "can't decode byte 0xe9" in finding.message


def test_non_utf8_stdin_is_a_finding_like_the_same_file(tmp_path: Path) -> None:
    path = tmp_path / "latin.py"
    path.write_bytes(UNDECODABLE)
    from_file = cli(["--stdin-filename", "x.py", str(path)])
    from_stdin = cli(["--stdin-filename", str(path), "-"], stdin=UNDECODABLE)
    assert from_stdin.exit_code == from_file.exit_code == 1
    assert (
        from_stdin.stdout
        == from_file.stdout
        == f"{path}:3:9: NN000 {Linter(Config()).lint_file(str(path))[0].message}\n"
    )


def test_stdin_with_a_coding_declaration_is_decoded_as_a_file_is() -> None:
    source = "# -*- coding: latin-1 -*-\nimport torch\nname = 'caf\xe9'\n".encode("latin-1")
    assert cli(["-"], stdin=source).exit_code == 0


def test_fix_on_undecodable_stdin_passes_the_bytes_through(tmp_path: Path) -> None:
    result = cli(["--fix", "-"], stdin=UNDECODABLE)
    assert result.stdout_bytes == UNDECODABLE
    assert "<stdin>:3:9: NN000" in result.stderr


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file systems reject non-UTF-8 names")
@pytest.mark.parametrize("relative", [False, True], ids=["absolute", "relative"])
@pytest.mark.parametrize("output_format", ["json", "sarif"])
def test_non_utf8_file_names_give_valid_unicode_json(
    tmp_path: Path, output_format: str, relative: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open(os.path.join(os.fsencode(tmp_path), b"bad\xff_train.py"), "wb") as handle:
        handle.write(b"import torch\ndef f(:\n")
    if relative:
        monkeypatch.chdir(tmp_path)
    folder = "." if relative else str(tmp_path)
    result = cli(["--format", output_format, folder])
    assert result.exit_code == 1
    result.stdout.encode("utf-8")  # no lone surrogate in the text
    document = json.loads(result.stdout)
    json.dumps(document, ensure_ascii=False).encode("utf-8")  # nor in any string it decodes to ("\udcff" would)
    if output_format == "json":
        assert document[0]["path"] == os.path.normpath(os.path.join(folder, "bad\\xff_train.py"))
    else:
        uri = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri == "bad%FF_train.py" if relative else uri.endswith("/bad%FF_train.py")
