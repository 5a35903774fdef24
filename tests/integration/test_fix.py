"""--fix / --diff end to end: the fix lands, re-linting shows the finding gone, a second run changes
nothing, and a fix that would not parse leaves the file untouched and is reported."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import List, Type

import pytest

from nnlint.autofix import FixError, apply_edits, fix_paths, fix_source
from nnlint.config import Config
from nnlint.context import RuleContext
from nnlint.engine import Linter
from nnlint.finding import Edit
from nnlint.registry import Registry
from nnlint.rule import Rule

SEQUENTIAL = textwrap.dedent(
    """\
    import torch
    import torch.nn as nn

    model = nn.Sequential(
        nn.Linear(20, 64),
        nn.ReLU(),  # hidden
        nn.Linear(64, 10),
        nn.Softmax(dim=1),
    )
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
    """
)

FORWARD = textwrap.dedent(
    """\
    import torch
    import torch.nn as nn
    import torch.nn.functional as F


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(20, 10)

        def forward(self, x):
            return F.softmax(self.fc(x), dim=1)


    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in loader:
        optimizer.zero_grad()
        out = model(x)
        loss = F.cross_entropy(out, y)
        loss.backward()
        optimizer.step()
    """
)


def _nnlint(args: List[str], cwd: Path) -> "subprocess.CompletedProcess[str]":
    return subprocess.run([sys.executable, "-m", "nnlint", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def _linter(select: str = "NN201", extra: Type[Rule] = None) -> Linter:  # type: ignore[assignment]
    if extra is None:
        return Linter(Config(select=[select]))
    return Linter(Config(select=[select]), Registry(rules={extra.code: extra}))


def test_cli_fix_then_relint_is_clean_and_a_second_fix_changes_nothing(tmp_path: Path) -> None:
    train = tmp_path / "train.py"
    train.write_text(SEQUENTIAL)
    assert "NN201" in _nnlint(["train.py"], tmp_path).stdout

    fixed = _nnlint(["--fix", "--select", "NN201", "train.py"], tmp_path)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "fixed 1 finding(s) in 1 file(s)" in fixed.stderr
    text = train.read_text()
    assert "nn.Softmax" not in text
    assert "    nn.ReLU(),  # hidden\n    nn.Linear(64, 10),\n)\n" in text  # layout and comments kept
    assert _nnlint(["--select", "NN201", "train.py"], tmp_path).stdout == ""

    again = _nnlint(["--fix", "--select", "NN201", "train.py"], tmp_path)
    assert again.returncode == 0 and "fixed" not in again.stderr
    assert train.read_text() == text


def test_cli_diff_changes_nothing(tmp_path: Path) -> None:
    train = tmp_path / "train.py"
    train.write_text(FORWARD)
    run = _nnlint(["--diff", "train.py"], tmp_path)
    assert run.returncode == 1
    assert "-        return F.softmax(self.fc(x), dim=1)\n+        return self.fc(x)\n" in run.stdout
    assert run.stdout.startswith("--- a/train.py\n+++ b/train.py\n")
    assert train.read_text() == FORWARD


def test_cli_fix_on_stdin_writes_the_fixed_source_to_stdout(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "nnlint", "--fix", "-"],
        input=FORWARD,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.stdout == FORWARD.replace("F.softmax(self.fc(x), dim=1)", "self.fc(x)")


def test_encoding_and_line_endings_survive(tmp_path: Path) -> None:
    source = "# -*- coding: latin-1 -*-\n# caf\u00e9\n" + FORWARD
    path = tmp_path / "train.py"
    path.write_bytes(source.replace("\n", "\r\n").encode("latin-1"))
    run = fix_paths(_linter(), [str(path)])
    assert run.fixed == 1 and not run.problems
    assert path.read_bytes() == source.replace("F.softmax(self.fc(x), dim=1)", "self.fc(x)").replace(
        "\n", "\r\n"
    ).encode("latin-1")


@pytest.mark.parametrize(
    "snippet",
    [
        # the model's output is also read as probabilities: dropping the softmax would change that
        SEQUENTIAL + "with torch.no_grad():\n    probs = model(x)\n    print(probs[:, 1])\n",
        # the activation carries a comment that the rewrite would lose
        SEQUENTIAL.replace("nn.Softmax(dim=1),", "nn.Softmax(dim=1),  # probabilities"),
        # two returns: fixing one would leave the other
        FORWARD.replace(
            "        return F.softmax(self.fc(x), dim=1)",
            "        if x is None:\n            return F.softmax(x, dim=1)\n"
            "        return F.softmax(self.fc(x), dim=1)",
        ),
    ],
)
def test_no_fix_where_dropping_the_activation_is_not_provably_safe(snippet: str) -> None:
    findings = _linter().lint_source(snippet, "<snippet>")
    assert [f.code for f in findings] == ["NN201"]
    assert findings[0].fix is None


def test_inline_activation_in_the_loss_argument_is_dropped() -> None:
    source = SEQUENTIAL.replace("nn.Softmax(dim=1),\n", "").replace(
        "criterion(model(x), y)", "criterion(torch.softmax(model(x), dim=1), y)"
    )
    outcome = fix_source(_linter(), source, "<snippet>")
    assert outcome.fixed == SEQUENTIAL.replace("nn.Softmax(dim=1),\n", "")
    assert outcome.remaining == [] and [f.code for f in outcome.applied] == ["NN201"]


class BreaksTheSource(Rule):
    """Test rule whose fix produces invalid Python."""

    code = "NNT901"
    name = "breaks-the-source"
    summary = "test only"

    def check(self, ctx: RuleContext) -> None:
        for call in ctx.model.calls:
            if call.method_name == "step":
                ctx.report(call.node, "step", fix=ctx.fix("break it", ctx.replace(call.node, "optimizer.step(")))


class NeverConverges(Rule):
    """Test rule whose fix does not remove its finding."""

    code = "NNT902"
    name = "never-converges"
    summary = "test only"

    def check(self, ctx: RuleContext) -> None:
        for call in ctx.model.calls:
            if call.method_name == "step":
                ctx.report(call.node, "step", fix=ctx.fix("pad it", ctx.insert_after(call.node, " ")))


@pytest.mark.parametrize("rule,reason", [(BreaksTheSource, "would not parse"), (NeverConverges, "did not converge")])
def test_a_bad_fix_leaves_the_file_untouched_and_is_reported(tmp_path: Path, rule: Type[Rule], reason: str) -> None:
    path = tmp_path / "train.py"
    path.write_text(SEQUENTIAL)
    run = fix_paths(_linter("NNT", rule), [str(path)])
    assert path.read_text() == SEQUENTIAL
    assert run.fixed == 0 and run.changed_files == 0 and run.diff == ""
    assert len(run.problems) == 1 and reason in run.problems[0] and str(path) in run.problems[0]
    assert [f.code for f in run.findings] == [rule.code]  # still reported


def test_apply_edits_rejects_overlaps_and_out_of_range_positions() -> None:
    assert apply_edits("ab\ncd\n", [Edit(2, 0, 2, 1, "X"), Edit(1, 2, 2, 0, "")]) == "abXd\n"
    with pytest.raises(FixError):
        apply_edits("abc\n", [Edit(1, 0, 1, 2, "x"), Edit(1, 1, 1, 3, "y")])
    with pytest.raises(FixError):
        apply_edits("abc\n", [Edit(3, 0, 3, 1, "x")])


FIXABLE_CODES = ("NN101", "NN102", "NN201", "NN203", "NN206", "NN301")


def test_fixing_the_corpus_removes_exactly_the_fixed_findings(tmp_path: Path) -> None:
    """Over every corpus script of a rule with fixes: fixed findings disappear, nothing new appears,
    every changed file still compiles, and a second pass changes nothing."""
    import shutil

    corpus = Path(__file__).resolve().parents[2] / "corpus"
    files = [p for p in sorted(corpus.glob("*.py")) if p.name[:5].upper() in FIXABLE_CODES]
    assert files
    for path in files:
        shutil.copy(path, tmp_path / path.name)
    paths = [str(tmp_path / p.name) for p in files]
    config = Config()
    before = Linter(config).lint_paths(paths)
    run = fix_paths(Linter(config), paths)
    after = Linter(config).lint_paths(paths)

    assert run.problems == []
    expected_fixes = [f for f in before if f.fix is not None]
    assert run.fixed == len(expected_fixes) >= 10
    key = lambda f: (f.path, f.code)  # noqa: E731
    remaining = sorted(map(key, after))
    assert remaining == sorted(map(key, [f for f in before if f.fix is None]))
    for path in paths:
        compile(Path(path).read_text(), path, "exec")
    assert fix_paths(Linter(config), paths, write=False).diff == ""


def test_probabilities_variable_keeps_its_other_uses() -> None:
    source = SEQUENTIAL.replace("nn.Softmax(dim=1),\n", "").replace(
        "    loss = criterion(model(x), y)\n",
        "    logits = model(x)\n    probs = torch.softmax(logits, dim=-1)\n    loss = criterion(probs, y)\n"
        "    hits = (probs.argmax(-1) == y).sum()\n",
    )
    outcome = fix_source(_linter(), source, "<snippet>")
    assert "loss = criterion(logits, y)\n" in outcome.fixed
    assert "probs = torch.softmax(logits, dim=-1)\n" in outcome.fixed and outcome.remaining == []
    assert source != SEQUENTIAL
    rebound = source.replace(
        "    loss = criterion(probs, y)\n", "    logits = logits * 2\n    loss = criterion(probs, y)\n"
    )
    assert rebound != source
    assert [f.fix for f in _linter().lint_source(rebound, "<snippet>")] == [None]  # logits changed meanwhile


def test_unshuffled_loader_fix() -> None:
    source = textwrap.dedent(
        """\
        import torch
        from torch.utils.data import DataLoader, TensorDataset

        model = torch.nn.Linear(4, 2)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        loader = DataLoader(TensorDataset(torch.randn(64, 4), torch.randint(0, 2, (64,))), batch_size=8)
        for x, y in loader:
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
        """
    )
    outcome = fix_source(_linter("NN101"), source, "<snippet>")
    assert "batch_size=8, shuffle=True)\n" in outcome.fixed and outcome.remaining == []
    explicit = source.replace("batch_size=8)", "batch_size=8, shuffle=False)")
    assert "batch_size=8, shuffle=True)\n" in fix_source(_linter("NN101"), explicit, "<snippet>").fixed
    positional = source.replace("batch_size=8)", "8, False)")
    assert "8, True)\n" in fix_source(_linter("NN101"), positional, "<snippet>").fixed


@pytest.mark.parametrize(
    "line,fixed",
    [
        ("x = torch.reshape(frames, (64, 3, 32, 32))", "x = frames.permute(0, 3, 1, 2).contiguous()"),
        ("x = frames.view(64, 3, 32, 32)", "x = frames.permute(0, 3, 1, 2).contiguous()"),
        ("x = np.reshape(images, (64, 3, 32, 32))", "x = np.transpose(images, (0, 3, 1, 2))"),
        ("x = images.reshape(64, 3, 32, 32)", None),  # numpy's or torch's reshape: the rewrite differs
    ],
)
def test_reshape_to_permute_only_where_the_library_is_evident(line: str, fixed: str) -> None:
    source = textwrap.dedent(
        """\
        import numpy as np
        import torch

        frames = torch.randn(64, 32, 32, 3)
        images = np.zeros((64, 32, 32, 3))
        {line}
        """
    ).format(line=line)
    findings = _linter("NN102").lint_source(source, "<snippet>")
    assert [f.code for f in findings] == ["NN102"]
    if fixed is None:
        assert findings[0].fix is None
        return
    outcome = fix_source(_linter("NN102"), source, "<snippet>")
    assert outcome.fixed == source.replace(line, fixed) and outcome.remaining == []


@pytest.mark.parametrize(
    "extra,fixable",
    [
        ("", True),
        ("evaluate(model, loader)\n", False),  # handed to code this file does not show
        ("def accuracy(m):\n    return m(x).argmax(1)\n\n\naccuracy(model)\n", True),  # argmax cannot tell
        ("def positive(m):\n    return m(x)[:, 1]\n\n\npositive(model)\n", False),  # reads probabilities
    ],
)
def test_model_handed_elsewhere_gets_a_fix_only_where_every_call_is_seen(extra: str, fixable: bool) -> None:
    source = "from helpers import evaluate\n" + SEQUENTIAL + extra
    findings = _linter().lint_source(source, "<snippet>")
    assert [f.code for f in findings] == ["NN201"]
    assert (findings[0].fix is not None) is fixable
