"""Issue 13 item 11: a plugin's probe that raises or hangs is isolated as a rule is, in a real
``--dynamic`` run of a plugin loaded through its entry point: one NN002 naming it, the run goes on."""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from nnlint.cli import main
from tests.plugins.test_plugin_boundary import BUGGY, BUILTIN_FINDING
from tests.plugins.test_plugin_errors import install_plugin

pytestmark = pytest.mark.dynamic

DOC = '''"""## What it does
    Misbehaves.

    ## Why is this bad?
    It is a test.
    """'''

PROBES = textwrap.dedent(
    f"""
    from nnlint.api import Probe, hookimpl


    class Raises(Probe):
        {DOC}

        code = "NNE801"
        name = "raising-probe"
        summary = "raises"

        def check(self, run):
            losses = run.get("losses", [])
            raise RuntimeError(f"probe boom after {{len(losses)}} loss(es)")


    class Hangs(Probe):
        {DOC}

        code = "NNE802"
        name = "hanging-probe"
        summary = "hangs"

        def check(self, run):
            while True:
                pass


    class Fine(Probe):
        {DOC}

        code = "NNE803"
        name = "fine-probe"
        summary = "reports the step"

        def check(self, run):
            run.report(run.get("step_where"), "a training step ran", {{}})


    @hookimpl
    def nnlint_probes():
        return [Raises, Hangs, Fine]
    """
)


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="the dynamic pass needs torch")
def test_a_raising_and_a_hanging_probe_are_each_one_nn002_and_every_other_finding_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "train.py").write_text(BUGGY)
    (project / "pyproject.toml").write_text("[tool.nnlint]\nrule-timeout = 1\n")
    monkeypatch.chdir(project)
    install_plugin(monkeypatch, tmp_path / "site", "probeplug", {"probeplug/__init__.py": PROBES}, "probeplug")
    raise_line = next(n for n, line in enumerate(PROBES.splitlines(), 1) if "raise RuntimeError" in line)
    result = CliRunner().invoke(main, ["--no-cache", "-j1", "--dynamic", "train.py"])
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        "train.py:1:1: NN002 plugin 'probeplug': probe NNE801 (raising-probe) failed: RuntimeError: probe boom "
        f"after 1 loss(es) (at probeplug/__init__.py:{raise_line}) [dynamic]",
        "train.py:1:1: NN002 plugin 'probeplug': probe NNE802 (hanging-probe) exceeded 1 s and was stopped "
        "(tool.nnlint.rule-timeout) [dynamic]",
    ], result.stdout
    assert lines[2].startswith(BUILTIN_FINDING), lines  # the static finding, confirmed by nnlint's own probe
    assert lines[3] == "train.py:10:1: NNE803 a training step ran [dynamic]", lines
    assert lines[4].startswith("train.py:1:1: NN004 dynamic run: ran "), lines  # the run's own record comes last
    assert len(lines) == 5
