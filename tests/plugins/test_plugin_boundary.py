"""Plugin code cannot take the run down: whatever an entry point, hook, rule or probe raises (SystemExit and
KeyboardInterrupt included) or hands back is one line naming the plugin, and every other finding stays."""

from __future__ import annotations

import os
import re
import signal
import textwrap
import types
from pathlib import Path
from typing import Any, Callable, List

import pytest
from click.testing import CliRunner

from nnlint.api import Rule, hookimpl
from nnlint.cli import main
from tests.plugins.test_plugin_loading import DOCUMENTED, _FakeEntryPoint, fake_entry_points  # noqa: F401  (fake_entry_points: a fixture)

BUGGY = textwrap.dedent(
    """\
    import torch
    import torch.nn as nn
    model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in [(torch.randn(2, 4), torch.tensor([0, 1]))]:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    """
)
_RAISE_LINE = next(
    n
    for n, line in enumerate(Path(__file__).read_text().splitlines(), 1)
    if line.endswith("raise error  # _RAISE_LINE")
)
BUILTIN_FINDING = "train.py:8:12: NN201 CrossEntropyLoss receives the model's output after softmax"


def _rule_class(check: Callable[[Any, Any], None], init: Callable[..., None] = None) -> type:
    namespace = {
        "code": "NNZ001",
        "name": "bad-rule",
        "summary": "bad",
        "check": check,
        "__module__": "badplug",
        "__doc__": DOCUMENTED,
    }
    if init is not None:
        namespace["__init__"] = init
    return type("BadRule", (Rule,), namespace)


def _plugin(rules: Callable[[], Any]) -> types.SimpleNamespace:
    return types.SimpleNamespace(nnlint_rules=hookimpl(rules))


def _run(tmp_path: Path, *args: str) -> Any:
    (tmp_path / "train.py").write_text(BUGGY)
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        return CliRunner().invoke(main, ["--no-cache", "-j1", *args, "train.py"])
    finally:
        os.chdir(old)


class _RaisingEntryPoint(_FakeEntryPoint):
    """An entry point whose module raises a BaseException on import (the fake one only raises Exceptions)."""

    def load(self) -> Any:
        raise self._target


@pytest.fixture
def entry_points_loaded_by_the_cli(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Entry points that the command itself loads (inside its signal watch), not the test beforehand."""
    from nnlint import registry as registry_module

    def install(*points: _FakeEntryPoint) -> None:
        monkeypatch.setattr(registry_module, "entry_points", lambda group: list(points) if group == "nnlint" else [])
        monkeypatch.setattr(registry_module, "_CACHE", {})

    return install


def _raiser(error: BaseException) -> Callable[..., None]:
    def check(self: Any, ctx: Any) -> None:
        raise error  # _RAISE_LINE

    return check


@pytest.mark.parametrize(
    "point, warning",
    [
        (
            _RaisingEntryPoint("badplug", SystemExit(0)),
            "nnlint: warning: plugin 'badplug' failed to load: SystemExit: 0",
        ),
        (
            _RaisingEntryPoint("badplug", KeyboardInterrupt()),
            "nnlint: warning: plugin 'badplug' failed to load: KeyboardInterrupt",
        ),
        (
            _FakeEntryPoint("badplug", _plugin(lambda: (_ for _ in ()).throw(SystemExit(0)))),
            "nnlint: warning: plugin 'badplug': nnlint_rules() failed: SystemExit: 0",
        ),
        (
            _FakeEntryPoint("badplug", _plugin(lambda: 5)),
            "nnlint: warning: plugin 'badplug': nnlint_rules() returned int, not a list of classes; skipped",
        ),
        (
            _FakeEntryPoint("badplug", _plugin(lambda: [_rule_class(lambda self, ctx: None)()])),
            "nnlint: warning: plugin 'badplug': nnlint_rules() returned a BadRule object, not a class (return the "
            "class itself); skipped",
        ),
        (
            _FakeEntryPoint(
                "badplug",
                _plugin(lambda: [_rule_class(lambda self, ctx: None, init=_raiser(RuntimeError("init boom")))]),
            ),
            "nnlint: warning: plugin 'badplug': rule NNZ001 (bad-rule) could not be set up: RuntimeError: init "
            "boom; skipped",
        ),
    ],
)
def test_a_plugin_failing_to_load_or_set_up_is_one_warning_and_the_findings_stay(
    entry_points_loaded_by_the_cli, tmp_path: Path, point: Any, warning: str
) -> None:
    entry_points_loaded_by_the_cli(point)
    result = _run(tmp_path, "--ignore-plugin-errors")
    assert result.exit_code == 1, result.stdout + result.stderr
    assert warning in result.stderr.splitlines()
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith(BUILTIN_FINDING)
    if "could not be set up" in warning:
        return  # a rule's __init__ is run per run, not at load time: a warning whatever the flag
    stopped = _run(tmp_path)  # without the flag: one error line naming the plugin, exit 2, nothing linted
    assert stopped.exit_code == 2 and stopped.stdout == "", stopped.stdout + stopped.stderr
    error = warning.replace("nnlint: warning: ", "nnlint: error: ", 1) + " (--ignore-plugin-errors to run without it)"
    assert stopped.stderr.splitlines() == [error]


def _append_garbage(self: Any, ctx: Any) -> None:
    ctx.report(ctx.module.body[0], "a first finding, to be dropped with the rest")
    ctx.findings.append("garbage")


def _bogus_severity(self: Any, ctx: Any) -> None:
    ctx.report(ctx.module.body[0], "fine message", severity="bogus")


@pytest.mark.parametrize(
    "check, message",
    [
        (_raiser(SystemExit(3)), "failed: SystemExit: 3"),
        (_raiser(KeyboardInterrupt()), "failed: KeyboardInterrupt"),
        (_raiser(ValueError("bad value")), "failed: ValueError: bad value"),
        (
            _append_garbage,
            "produced an unusable finding: 'garbage' is not a Finding (report findings with ctx.report(...)); its "
            "findings on this file are dropped",
        ),
        (
            lambda self, ctx: ctx.report(ctx.module, 12345),
            "failed: TypeError: ctx.report(): the message must be a string, not int",
        ),
        (
            _bogus_severity,
            "failed: ValueError: severity must be a nnlint.api.Severity ('error', 'warning', 'info'), not 'bogus'",
        ),
        (
            lambda self, ctx: ctx.report("line 3", "text"),
            "failed: TypeError: ctx.report(): the node must be a libcst node of this file, not str",
        ),
    ],
)
def test_a_failing_rule_is_its_own_nn002_naming_the_plugin(
    fake_entry_points,  # noqa: F811  (the fixture imported above)
    tmp_path: Path,
    check: Callable[..., None],
    message: str,
) -> None:
    fake_entry_points(_FakeEntryPoint("badplug", _plugin(lambda: [_rule_class(check)])))
    result = _run(tmp_path)
    assert result.exit_code == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    expected = f"train.py:1:1: NN002 plugin 'badplug': rule NNZ001 (bad-rule) {message}"
    if message.startswith("failed:"):  # where it raised: the innermost frame of the rule's own code
        assert re.fullmatch(
            re.escape(expected) + r" \(at (\S*/)?tests/plugins/test_plugin_boundary\.py:\d+\)", lines[0]
        ), lines[0]
    else:
        assert lines[0] == expected
    assert lines[1].startswith(BUILTIN_FINDING) and len(lines) == 2


def test_a_severity_given_by_name_is_accepted(fake_entry_points, tmp_path: Path) -> None:  # noqa: F811
    fake_entry_points(
        _FakeEntryPoint(
            "badplug",
            _plugin(lambda: [_rule_class(lambda self, ctx: ctx.report(ctx.module.body[2], "third", severity="error"))]),
        )
    )
    result = _run(tmp_path, "--format", "json")
    import json

    found = [(f["line"], f["column"], f["code"], f["severity"]) for f in json.loads(result.stdout)]
    assert found == [(3, 1, "NNZ001", "error"), (8, 12, "NN201", "warning")]


def test_a_rule_that_never_returns_is_stopped_at_its_budget(fake_entry_points, tmp_path: Path) -> None:  # noqa: F811
    def spin(self: Any, ctx: Any) -> None:
        ctx.report(ctx.module.body[0], "reported before the hang: dropped with it")
        while True:
            pass

    fake_entry_points(_FakeEntryPoint("badplug", _plugin(lambda: [_rule_class(spin)])))
    (tmp_path / "pyproject.toml").write_text("[tool.nnlint]\nrule-timeout = 1\n")
    result = _run(tmp_path)
    lines = result.stdout.splitlines()
    assert (
        lines[0]
        == "train.py:1:1: NN002 plugin 'badplug': rule NNZ001 (bad-rule) exceeded 1 s on this file and was stopped "
        "(tool.nnlint.rule-timeout)"
    )
    assert lines[1].startswith(BUILTIN_FINDING) and len(lines) == 2


def test_a_real_ctrl_c_inside_a_rule_still_stops_the_run(fake_entry_points, tmp_path: Path) -> None:  # noqa: F811
    fake_entry_points(
        _FakeEntryPoint(
            "badplug", _plugin(lambda: [_rule_class(lambda self, ctx: os.kill(os.getpid(), signal.SIGINT))])
        )
    )
    result = _run(tmp_path)
    assert result.exit_code == 130
    assert result.stderr.splitlines()[-1] == "nnlint: interrupted"
    assert result.stdout == ""


# ----------------------------------------------------------------------------------------------- probes
def _probe(check: Callable[..., None] = None, confirm: Callable[..., Any] = None) -> Any:
    from nnlint.dynamic.probe import Probe

    namespace: dict = {"code": "NNZ801", "name": "bad-probe", "summary": "bad", "__module__": "badplug"}
    if check is not None:
        namespace["check"] = check
    if confirm is not None:
        namespace["confirm"] = confirm
    return type("BadProbe", (Probe,), namespace)()


def _static(code: str = "NNZ801") -> Any:
    from nnlint.finding import Finding

    return Finding("train.py", 4, 1, code, "bad-probe", "static finding")


def test_a_probe_that_raises_or_answers_nonsense_is_one_nn002_and_the_others_still_run() -> None:
    from nnlint.dynamic import apply_probes

    def ok(self: Any, run: Any) -> None:
        run.report([["train.py", 7]], "seen at run time", {})

    good = type("GoodProbe", (_probe().__class__,), {"code": "NNZ802", "name": "good-probe", "check": ok})()
    static = [_static()]
    findings = apply_probes(
        "train.py",
        [{"observations": {}}],
        [_probe(check=_raiser(SystemExit(2))), good],
        static,
    )
    assert [(f.line, f.code, f.message) for f in findings] == [
        (
            1,
            "NN002",
            f"probe NNZ801 (bad-probe) failed: SystemExit: 2 (at tests/plugins/test_plugin_boundary.py:{_RAISE_LINE})",
        ),
        (7, "NNZ802", "seen at run time"),
    ]
    findings = apply_probes(
        "train.py", [{"observations": {}}], [_probe(confirm=lambda self, finding, run: "yes")], static
    )
    assert [(f.line, f.code, f.message) for f in findings] == [
        (1, "NN002", "probe NNZ801 (bad-probe) answered confirm() with 'yes', not None, True or False")
    ]
    assert static[0].confirmed is None


def test_a_probe_that_cannot_be_set_up_is_a_warning_and_skipped() -> None:
    from nnlint.config import Config
    from nnlint.dynamic.cli_support import set_up_probes
    from nnlint.registry import Registry

    def init(self: Any, options: Any = None) -> None:
        raise SystemExit("no")

    broken = type(_probe().__class__)(
        "BrokenProbe", (_probe().__class__,), {"code": "NNZ803", "name": "broken-probe", "__init__": init}
    )
    working = _probe().__class__
    warnings: List[str] = []
    probes = set_up_probes(
        Registry(probes={"NNZ801": working, "NNZ803": broken}), Config(select=["NNZ"]), "train.py", warnings.append
    )
    assert [type(p).__name__ for p in probes] == ["BadProbe"]
    assert warnings == ["probe NNZ803 (broken-probe) could not be set up: SystemExit: no; skipped"]


def test_the_testing_helpers_fail_on_a_rule_that_cannot_be_set_up() -> None:
    from nnlint.testing import lint_snippet

    broken = _rule_class(lambda self, ctx: None, init=_raiser(RuntimeError("init boom")))
    with pytest.raises(
        AssertionError, match=r"rule NNZ001 \(bad-rule\) could not be set up: RuntimeError: init boom; skipped"
    ):
        lint_snippet(broken, "x = 1\n")
