"""Fuzzing everything around the code (issue 14): explosive nesting, corrupt cache entries, hostile stdin,
file names and editor edits, and scripts that die in every way under --dynamic. Derandomised and
bounded (about a minute in all), so CI runs it on every change."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import sys
import time
from typing import Any, List

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from nnlint.cache import Cache, finding_to_json
from nnlint.cli import main
from nnlint.config import Config
from nnlint.engine import Linter
from nnlint.finding import Finding, Severity, Source
from nnlint.lsp_sync import range_problem, raw_edit_problem
from tests.robustness.test_inputs import TRAINING

BOUNDED = settings(deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), max_examples=60)
LINTER = Linter(Config())

# --------------------------------------------------------------------------------- explosive nesting
LINKS = {  # one level of nesting each; Python accepts a few thousand of the unbracketed ones
    "attribute": ("torch", ".a", ""),
    "binary": ("1", " + 1", ""),
    "unary": ("", "-", "1"),
    "subscript": ("a", "[0]", ""),
    "not": ("", "not ", "x"),
    "lambda": ("", "lambda: ", "0"),
    "call": ("", "f(", ")"),
    "list": ("", "[", "]"),
}


@st.composite
def nested_statement(draw) -> str:
    kind = draw(st.sampled_from(sorted(LINKS)))
    count = draw(st.sampled_from([1, 50, 199, 201, 299, 301, 1000, 2900, 3100, 25_000]))
    head, link, tail = LINKS[kind]
    closing = tail * count if kind in ("call", "list") else tail
    return head + link * count + closing


@BOUNDED
@given(nested_statement(), st.booleans())
def test_no_nesting_makes_a_file_slow_or_a_crash(statement: str, in_training_loop: bool) -> None:
    source = (
        (
            "import torch\nfor x in y:\n    loss.backward()\n    optimizer.step()\n    x = "
            if in_training_loop
            else "import torch\nx = "
        )
        + statement
        + "\n"
    )
    linter = Linter(Config())
    started = time.monotonic()
    findings = linter.lint_source(source, "nested.py")
    assert time.monotonic() - started < 5
    assert not [f for f in findings if f.code == "NN002"], findings
    rejected = [f for f in findings if f.code == "NN000"]
    assert not (rejected and linter.notes)
    assert all(note == "nested.py: skipped: nested deeper than max-depth (300 levels)" for note in linter.notes)


# --------------------------------------------------------------------------------- corrupt cache entries
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 10**12) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
VALID = {
    "path": "x",
    "digest": "0",
    "dependencies": {},
    "findings": [
        finding_to_json(
            Finding("x.py", 3, 5, "NN201", "softmax-before-cross-entropy", "m", 3, 9, Severity.WARNING, Source.STATIC)
        )
    ],
}


@st.composite
def corrupt_entry(draw) -> Any:
    if draw(st.booleans()):
        return draw(JSON)
    entry = json.loads(json.dumps(VALID))
    target = entry if draw(st.booleans()) else entry["findings"][0]
    key = draw(st.sampled_from(sorted(target) + ["extra"]))
    target[key] = draw(JSON)
    return entry


@BOUNDED
@example(entry=dict(json.loads(json.dumps(VALID)), findings=[dict(VALID["findings"][0], severity=[])]))
@example(entry=dict(json.loads(json.dumps(VALID)), findings=[dict(VALID["findings"][0], source={})]))
@example(entry=dict(json.loads(json.dumps(VALID)), findings=[dict(VALID["findings"][0], confirmed=1)]))
@given(corrupt_entry())
def test_a_corrupt_entry_is_a_miss_or_valid_findings(tmp_path_factory, entry: Any) -> None:
    folder = tmp_path_factory.mktemp("cache")
    source = folder / "x.py"
    source.write_text("import torch\n")
    cache = Cache(folder / "c", "fingerprint")
    target = cache._entry_path(str(source))
    target.parent.mkdir(parents=True)
    target.write_text(
        json.dumps(
            dict(entry, digest="0") if isinstance(entry, dict) and isinstance(entry.get("digest"), str) else entry
        )
    )
    found = cache.get(str(source), "0")
    if found is not None:  # only what put() could have written comes back
        for finding in found:
            assert isinstance(finding, Finding) and type(finding.line) is int and finding.line >= 1
            assert isinstance(finding.message, str) and isinstance(finding.severity, Severity)
            assert finding.confirmed is None or type(finding.confirmed) is bool


# --------------------------------------------------------------------------------- stdin and file names
@BOUNDED
@given(
    st.binary(max_size=200),
    st.sampled_from([b"", b"import torch\n", b"# -*- coding: latin-1 -*-\nimport torch\n", b"\xef\xbb\xbf"]),
)
def test_any_bytes_on_stdin(data: bytes, prefix: bytes) -> None:
    result = CliRunner().invoke(main, ["--no-cache", "--format", "json", "-"], input=prefix + data)
    assert result.exit_code in (0, 1), result.output
    assert isinstance(json.loads(result.stdout), list)


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file systems reject non-UTF-8 names")
@settings(deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), max_examples=15)
@given(st.binary(min_size=1, max_size=12).filter(lambda b: b"/" not in b and b"\0" not in b and b not in (b".", b"..")))
def test_any_file_name_gives_valid_json(tmp_path_factory, name: bytes) -> None:
    folder = tmp_path_factory.mktemp("names")
    with open(os.path.join(os.fsencode(folder), name + b".py"), "wb") as handle:
        handle.write(b"import torch\ndef f(:\n")
    for output_format in ("json", "sarif"):
        result = CliRunner().invoke(main, ["--no-cache", "--jobs", "1", "--format", output_format, str(folder)])
        assert result.exit_code == 1, result.output
        json.dumps(json.loads(result.stdout), ensure_ascii=False).encode("utf-8")


# --------------------------------------------------------------------------------- editor edits
POSITION = st.fixed_dictionaries({"line": JSON | st.integers(-3, 40), "character": JSON | st.integers(-3, 40)})


@BOUNDED
@given(
    st.lists(
        st.fixed_dictionaries(
            {"range": st.fixed_dictionaries({"start": POSITION, "end": POSITION}), "text": st.text(max_size=5)}
        ),
        max_size=3,
    )
)
def test_edit_validation_never_raises(changes: List[Any]) -> None:
    problem = raw_edit_problem({"textDocument": {"uri": "file:///x.py", "version": 2}, "contentChanges": changes})
    if problem is None:
        from lsprotocol import types

        for change in changes:
            start, end = change["range"]["start"], change["range"]["end"]
            span = types.Range(
                types.Position(start["line"], start["character"]), types.Position(end["line"], end["character"])
            )
            range_problem(types.TextDocumentContentChangePartial(span, change["text"]), 10)


# --------------------------------------------------------------------------------- deaths under --dynamic
needs_torch = pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed")
HANG_TIMEOUT = 5  # the other endings get far longer: importing torch alone takes seconds on a loaded machine
ENDINGS = {
    "sys.exit(3)": "sys.exit(3)",
    "os._exit(4)": "exited with status 4",
    "SIGSEGV": "killed by SIGSEGV",
    "SIGKILL": "killed by SIGKILL",
    "SIGTERM": "killed by SIGTERM",
    "raise": "raised RuntimeError: boom",
    "hang": f"did not finish its instrumented step within {HANG_TIMEOUT} s",
}
ENDING_CODE = {
    "sys.exit(3)": "sys.exit(3)",
    "os._exit(4)": "os._exit(4)",
    "SIGSEGV": "os.kill(os.getpid(), signal.SIGSEGV)",
    "SIGKILL": "os.kill(os.getpid(), signal.SIGKILL)",
    "SIGTERM": "os.kill(os.getpid(), signal.SIGTERM)",
    "raise": "raise RuntimeError('boom')",
    "hang": "time.sleep(300)",
}


@pytest.mark.dynamic
@needs_torch
@settings(deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), max_examples=6)
@given(st.sampled_from(sorted(ENDINGS)), st.sets(st.sampled_from(["child", "daemon", "worker-group"]), max_size=2))
def test_every_way_a_script_can_end_leaves_nothing(tmp_path_factory, ending: str, helpers: set) -> None:
    from nnlint.dynamic.runner import run_script
    from tests.dynamic.test_processes import daemon_code, marker_for, processes_mentioning

    folder = tmp_path_factory.mktemp("ending")
    marker = marker_for("fuzz")
    lines = ["import os, signal, subprocess, sys, time", "import torch"]
    if "child" in helpers:
        lines.append(f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)', '{marker}-child'])")
    if "worker-group" in helpers:
        lines.append(
            f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)', '{marker}-group'], "
            "start_new_session=True)"
        )
    if "daemon" in helpers:
        lines.append(daemon_code(marker + "-daemon"))
    lines += ["print('about to end', flush=True)", ENDING_CODE[ending]]
    path = folder / "train.py"
    path.write_text("\n".join(lines) + "\n")
    temporary = folder / "tmp"
    temporary.mkdir()
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)}
    previous = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(temporary)
    try:
        import tempfile

        tempfile.tempdir = None
        result = run_script(str(path), device="cpu", timeout=HANG_TIMEOUT if ending == "hang" else 120)
    finally:
        if previous is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = previous
        tempfile.tempdir = None
    assert ENDINGS[ending] in str(result.error), result.error
    deadline = time.monotonic() + 5
    while processes_mentioning(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_mentioning(marker) == []
    assert list(temporary.iterdir()) == []
    assert {signum: signal.getsignal(signum) for signum in handlers} == handlers  # restored


# ------------------------------------------------------------------------------ misbehaving plugins
def _misbehaviour(kind: str):
    from nnlint.finding import Edit, Fix

    def check(self: Any, ctx: Any) -> None:
        first = ctx.module.body[0]
        if kind == "exit":
            raise SystemExit(1)
        if kind == "interrupt":
            raise KeyboardInterrupt
        if kind == "error":
            raise RecursionError("deep")
        if kind == "garbage":
            ctx.findings.append(None)
        if kind == "bad line":
            ctx.findings.append(Finding(ctx.path, 0, 1, self.code, self.name, "x"))
        if kind == "bad fix":
            ctx.report(first, "x", fix=Fix("f", (Edit(1, -1, 1, 0, "y"),)))
        if kind == "bad message":
            ctx.report(first, ["not", "text"])
        if kind == "bad severity":
            ctx.report(first, "x", severity=3)
        if kind == "bad evidence":
            ctx.findings.append(Finding(ctx.path, 1, 1, self.code, self.name, "x", evidence=[1]))
        if kind == "fine":
            ctx.report(first, "fine")

    return check


MISBEHAVIOURS = [
    "exit",
    "interrupt",
    "error",
    "garbage",
    "bad line",
    "bad fix",
    "bad message",
    "bad severity",
    "bad evidence",
    "fine",
]


@BOUNDED
@given(st.lists(st.sampled_from(MISBEHAVIOURS), min_size=1, max_size=5))
def test_no_mix_of_misbehaving_rules_loses_a_finding(kinds: List[str]) -> None:
    from nnlint.interrupts import signals_raise
    from nnlint.registry import Registry, load_registry
    from nnlint.rule import Rule

    rules = {
        f"NNZ{index:03d}": type(
            f"Rule{index}",
            (Rule,),
            {
                "code": f"NNZ{index:03d}",
                "name": f"rule-{index}",
                "summary": "s",
                "check": _misbehaviour(kind),
                "__module__": "fuzzplug",
            },
        )
        for index, kind in enumerate(kinds)
    }
    registry = Registry(rules={**load_registry().rules, **rules}, plugins=load_registry().plugins)
    with signals_raise():  # as under the command line: a plugin's KeyboardInterrupt is its own failure
        findings = Linter(Config(select=["NN", "NNZ"]), registry).lint_source(TRAINING, "train.py")
    builtin = [f for f in LINTER.lint_source(TRAINING, "train.py")]
    assert [f for f in findings if not f.code.startswith(("NNZ", "NN002"))] == builtin
    errors = sorted(f.message.split(" ", 2)[1] for f in findings if f.code == "NN002")
    assert errors == sorted(code for code, kind in zip(rules, kinds) if kind != "fine")
    assert all(f.line == 1 and f.column == 1 for f in findings if f.code == "NN002")
    assert [f.code for f in findings if f.code.startswith("NNZ")] == [
        code for code, kind in zip(rules, kinds) if kind == "fine"
    ]
    assert all(finding.to_dict() for finding in findings)  # every one formattable


# ------------------------------------------------------------------------------ hostile configuration
TOML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 10**9) | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
CONFIG_KEYS = [
    "select",
    "ignore",
    "extend-select",
    "extend-ignore",
    "exclude",
    "extend-exclude",
    "per-file-ignores",
    "options",
    "dynamic",
    "notebooks",
    "max-file-size",
    "max-depth",
    "file-timeout",
    "rule-timeout",
]
DYNAMIC_KEYS = ["args", "device", "launcher", "nproc-per-node", "python", "timeout", "lancher"]


@BOUNDED
@given(
    st.dictionaries(st.sampled_from(CONFIG_KEYS), TOML_VALUES, max_size=4),
    st.dictionaries(st.sampled_from(DYNAMIC_KEYS), TOML_VALUES, max_size=3),
)
def test_any_configuration_is_accepted_or_one_configuration_error(table: dict, dynamic: dict) -> None:
    from nnlint.config import ConfigError, config_from_table

    if dynamic:
        table = {**table, "dynamic": dynamic}
    try:
        config = config_from_table(table, None, plugins=None)
    except ConfigError as error:
        assert "\n" not in str(error) and str(error).startswith(("tool.nnlint", "unknown key", "[tool.nnlint]")), str(
            error
        )
        return
    config.is_enabled("NN201", "src/train.py")
    config.is_excluded("src/train.py")
