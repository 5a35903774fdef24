"""``--add-noqa`` writes a ``# noqa: CODE`` for every current finding; flake8's and ruff's file-level
``noqa`` comments are honoured."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from nnlint.add_noqa import add_directives
from nnlint.finding import Finding
from tests.cli.helpers import BUGGY, run

LOOP_LINE = "    loss = criterion(model(x), y)"


def _finding(line: int, code: str = "NN201", end_line: int = 0) -> Finding:
    return Finding("a.py", line, 1, code, "name", "message", end_line=end_line or line)


def test_add_noqa_silences_every_finding_and_says_so(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(BUGGY)
    result = run(["--add-noqa", "train.py"], tmp_path)
    assert result.returncode == 0 and result.stderr == "nnlint: added 1 noqa directive(s) in 1 file(s)\n", result.stderr
    assert (tmp_path / "train.py").read_text() == BUGGY.replace(LOOP_LINE, LOOP_LINE + "  # noqa: NN201")
    assert run(["train.py"], tmp_path).returncode == 0
    again = run(["--add-noqa", "train.py"], tmp_path)
    assert again.stderr == "nnlint: added 0 noqa directive(s) in 0 file(s)\n"


def test_add_noqa_merges_codes_and_keeps_bare_noqa() -> None:
    source = "a = 1  # noqa: NN101\nb = 2  # noqa\nc = 3\n"
    edited, changed = add_directives(
        source, [_finding(1, "NN201"), _finding(2, "NN201"), _finding(3, "NN301"), _finding(3, "NN201")]
    )
    assert edited == "a = 1  # noqa: NN101, NN201\nb = 2  # noqa\nc = 3  # noqa: NN201, NN301\n" and changed == 2


def test_add_noqa_never_writes_into_a_string_or_after_a_continuation() -> None:
    source = textwrap.dedent(
        '''\
        x = f("""
        text
        """)
        y = 1 + \\
            2
        '''
    )
    edited, changed = add_directives(source, [_finding(1, end_line=3), _finding(4, end_line=5)])
    assert edited.splitlines() == ['x = f("""', "text", '""")  # noqa: NN201', "y = 1 + \\", "    2  # noqa: NN201"]
    assert changed == 2
    compile(edited, "a.py", "exec")


def test_add_noqa_with_fix_is_refused(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(BUGGY)
    result = run(["--add-noqa", "--fix", "train.py"], tmp_path)
    assert result.returncode == 2 and "--add-noqa cannot be combined with --fix" in result.stderr
    assert (tmp_path / "train.py").read_text() == BUGGY


@pytest.mark.parametrize(
    "header, silenced",
    [
        ("# flake8: noqa\n", True),
        ("# ruff: noqa\n", True),
        ("# ruff: noqa: NN201\n", True),
        ("# flake8: noqa: NN2\n", True),
        ("# ruff: noqa: NN301\n", False),
        ("x = 1  # flake8: noqa\n", False),  # not alone on its line: a line-level comment of flake8's
    ],
)
def test_flake8_and_ruff_file_level_noqa(tmp_path: Path, header: str, silenced: bool) -> None:
    (tmp_path / "train.py").write_text(header + BUGGY)
    result = run(["--format", "json", "train.py"], tmp_path)
    assert (json.loads(result.stdout) == []) is silenced, result.stdout


UNUSED = (
    BUGGY.replace("optimizer.zero_grad()", "optimizer.zero_grad()  # noqa: NN201, E501")
    .replace(LOOP_LINE, LOOP_LINE + "  # noqa: NN201")
    .replace("import torch\n", "import torch  # noqa\ns = '# noqa: NN101'\n", 1)
)


def test_unused_noqa_is_opt_in_and_judges_only_rules_that_ran(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(UNUSED)
    assert run(["train.py"], tmp_path).returncode == 0  # off by default: NN201 is silenced, nothing else said
    result = run(["--extend-select", "NN003", "--format", "json", "train.py"], tmp_path)
    records = json.loads(result.stdout)
    assert [(r["code"], r["line"], r["column"]) for r in records] == [("NN003", 10, 28)], records
    assert "unused `# noqa` code NN201: nothing of it is reported on this line" in records[0]["message"]
    # E501 (another tool's), the bare noqa and the one inside a string are left alone
    assert (
        run(["--extend-select", "NN003", "--ignore", "NN201", "train.py"], tmp_path).returncode == 0
    )  # NN201 off: not judged
