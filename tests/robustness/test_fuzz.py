"""Property-based: random text and mutated training scripts never make nnlint raise or a rule crash."""

from __future__ import annotations

from pathlib import Path
from typing import List

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnlint.config import Config
from nnlint.engine import Linter

REPO = Path(__file__).resolve().parents[2]
SEEDS: List[str] = [p.read_text(encoding="utf-8") for p in sorted(REPO.glob("corpus/*.py"))[:40]]
LINTER = Linter(Config())
FUZZ = settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))

PYTHON_BITS = st.sampled_from(
    [
        "(",
        ")",
        "[",
        "]",
        ":",
        "\n",
        "    ",
        "\t",
        "lambda",
        "yield",
        "await ",
        "async ",
        "def f(",
        "class C(",
        "nn.Module",
        "torch.",
        "softmax(",
        ".backward()",
        "optimizer.step()",
        "with torch.no_grad():",
        "for x in y:",
        "return ",
        "self.",
        "=",
        "**",
        "*",
        ",",
        "'",
        '"""',
        "#",
        "\\",
        "@",
        "global x",
        "nonlocal x",
        "match x:",
        "case _:",
        "import torch",
        "from . import a",
        "del ",
        ";",
        "\x00",
        "\r\n",
        "\ufeff",
        "é",
        "𝔘",
    ]
)


def _lint(source: str) -> None:
    findings = LINTER.lint_source(source, "fuzzed.py")
    crashes = [f.message for f in findings if f.code == "NN002"]
    assert not crashes, crashes
    assert all(f.line >= 1 and f.column >= 1 for f in findings)


@FUZZ
@given(st.text(max_size=400))
def test_random_text(source: str) -> None:
    _lint(source)


@FUZZ
@given(st.lists(PYTHON_BITS, max_size=60).map("".join))
def test_random_python_fragments(source: str) -> None:
    _lint("import torch\n" + source)


@st.composite
def mutated_script(draw) -> str:
    lines = draw(st.sampled_from(SEEDS)).splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "swap", "truncate", "insert", "dedent", "indent"]))
        if action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        elif action == "truncate":
            line = lines[index]
            lines[index] = line[: draw(st.integers(0, max(0, len(line) - 1)))] + "\n"
        elif action == "insert":
            lines.insert(index, draw(PYTHON_BITS) + draw(PYTHON_BITS) + "\n")
        elif action == "dedent":
            lines[index] = lines[index].lstrip()
        else:
            lines[index] = "    " + lines[index]
    return "".join(lines)


@FUZZ
@given(mutated_script())
def test_mutated_training_scripts(source: str) -> None:
    _lint(source)


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes_through_the_file_path(tmp_path_factory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "random.py"
    path.write_bytes(b"import torch\n" + data)
    findings = Linter(Config()).lint_file(str(path))
    assert not [f for f in findings if f.code == "NN002"]
