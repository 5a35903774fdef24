"""Helpers for testing rules (nnlint's own and plugins'): run a rule over a snippet, check its examples.

Use them from pytest::

    from nnlint.testing import assert_clean, assert_fixes, assert_flags, check_documented_examples

    def test_flags_whole_model_save():
        assert_flags(WholeModelSave, '''
            import torch
            model = torch.nn.Linear(2, 2)
            torch.save(model, "model.pt")
        ''', line=3)

    def test_fix_calls_the_module():           # a rule whose findings carry a fix
        assert_fixes(ForwardCalledDirectly, '''
            import torch
            model = torch.nn.Linear(2, 2)
            y = model.forward(torch.zeros(1, 2))
        ''', '''
            import torch
            model = torch.nn.Linear(2, 2)
            y = model(torch.zeros(1, 2))
        ''')

Snippets are dedented and their leading blank lines dropped: ``line=1`` is the first line of code.
Only the rules passed in run (no entry points are loaded), so a plugin's tests do not depend on what
else is installed. ``check_corpus`` compares a folder of scripts with their ``# expect:`` headers (``CODE@LINE`` each).
"""

from __future__ import annotations

import textwrap
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, List, Mapping, Optional, Sequence, Tuple, Type, Union, cast

from nnlint.config import Config
from nnlint.finding import Finding
from nnlint.options_schema import configured_option_errors
from nnlint.registry import Registry

if TYPE_CHECKING:
    from nnlint.dynamic.probe import Probe
    from nnlint.rule import Rule

RuleClasses = Union[Type["Rule"], Sequence[Type["Rule"]]]

__all__ = [
    "CorpusMismatch",
    "assert_clean",
    "assert_fixes",
    "assert_flags",
    "check_corpus",
    "check_documented_examples",
    "lint_snippet",
    "probe_findings",
]


def _as_list(rules: RuleClasses) -> List[Type[Rule]]:
    return [rules] if isinstance(rules, type) else list(rules)


def _linter(rules: RuleClasses, options: Optional[Mapping[str, Mapping[str, Any]]] = None) -> Any:
    from nnlint.engine import Linter  # the engine pulls in the whole static pass: import on use

    classes = _as_list(rules)
    problems = configured_option_errors(options or {}, classes)
    if problems:  # a misspelt or mistyped option must fail the test that sets it, not be ignored
        raise AssertionError("\n".join(problems))
    registry = Registry(rules={cls.code: cls for cls in classes})
    diagnostics = ["NN000", "NN002"]  # a snippet that does not parse, or a rule that crashes, must show
    config = Config(
        select=[cls.code for cls in classes] + diagnostics,
        options={code: dict(o) for code, o in (options or {}).items()},
    )
    linter = Linter(config, registry)
    if linter.problems:  # a rule that cannot be set up must fail its test, not pass it silently
        raise AssertionError("\n".join(linter.problems))
    return linter


def lint_snippet(
    rules: RuleClasses,
    code: str,
    *,
    path: str = "<snippet>",
    options: Optional[Mapping[str, Mapping[str, Any]]] = None,
) -> List[Finding]:
    """Findings of the given rule(s) on a source snippet; ``options`` per code or rule name.

    The snippet is dedented and its leading blank lines dropped, so line 1 is its first line of code."""
    return _linter(rules, options).lint_source(_snippet(code), path)


def _snippet(code: str) -> str:
    """Dedented, without leading blank lines: line 1 is the snippet's first line of code."""
    return textwrap.dedent(code).lstrip("\n")


def _format(findings: Iterable[Finding]) -> str:
    return "\n".join(f"  line {f.line}:{f.column} {f.code} {f.message}" for f in findings) or "  (nothing)"


def _lint_checked(rule: Type[Rule], code: str, options: Optional[Mapping[str, Any]]) -> List[Finding]:
    """The rule's findings on the snippet; fails when the snippet does not parse (NN000) or the rule
    crashes (NN002), so that a raising rule never passes a "stays silent" test."""
    everything = lint_snippet(rule, code, options={rule.code: options} if options else None)
    errors = [f for f in everything if f.code in ("NN000", "NN002")]
    assert not errors, (
        f"{rule.code}: the snippet did not lint cleanly (syntax error or crashed rule):\n{_format(errors)}"
    )
    return everything


def assert_flags(
    rule: Type[Rule],
    code: str,
    *,
    count: Optional[int] = None,
    line: Optional[int] = None,
    message: Optional[str] = None,
    options: Optional[Mapping[str, Any]] = None,
) -> List[Finding]:
    """Assert the rule reports the snippet (``count`` times; on ``line`` of the dedented snippet; with
    ``message`` in the text). Returns the findings for further checks."""
    everything = _lint_checked(rule, code, options)
    findings = [f for f in everything if f.code == rule.code]
    assert findings, f"{rule.code} did not flag:\n{_snippet(code)}"
    if count is not None:
        assert len(findings) == count, (
            f"{rule.code}: expected {count} finding(s), got {len(findings)}:\n{_format(findings)}"
        )
    if line is not None:
        assert any(f.line == line for f in findings), f"{rule.code}: nothing on line {line}:\n{_format(findings)}"
    if message is not None:
        assert any(message in f.message for f in findings), (
            f"{rule.code}: no message contains {message!r}:\n{_format(findings)}"
        )
    return findings


def assert_clean(rule: Type[Rule], code: str, *, options: Optional[Mapping[str, Any]] = None) -> None:
    """Assert the rule reports nothing on the snippet (and that the snippet parses)."""
    findings = _lint_checked(rule, code, options)
    assert not findings, f"{rule.code} should not report:\n{_format(findings)}\non:\n{_snippet(code)}"


def assert_fixes(
    rule: Type["Rule"],
    before: str,
    after: str,
    *,
    options: Optional[Mapping[str, Any]] = None,
    path: str = "<snippet>",
) -> List[Finding]:
    """Assert the rule's fixes turn ``before`` into exactly ``after`` (both dedented like every
    snippet), as ``nnlint --fix`` would apply them (pass by pass, each result re-parsed), and that the
    rule no longer reports the fixed source. Returns the findings whose fixes were applied."""
    from nnlint.autofix import fix_source

    source, expected = _snippet(before), _snippet(after)
    _lint_checked(rule, before, options)  # the snippet parses and the rule does not crash on it
    outcome = fix_source(_linter(rule, {rule.code: options} if options else None), source, path)
    assert outcome.error is None, f"{rule.code}: the fix was not applied: {outcome.error}"
    assert outcome.applied, f"{rule.code}: no finding with a fix on:\n{source}"
    if outcome.fixed != expected:
        import difflib

        diff = "".join(
            difflib.unified_diff(expected.splitlines(True), outcome.fixed.splitlines(True), "expected", "fixed")
        )
        raise AssertionError(f"{rule.code}: the fixed source differs from the expected one:\n{diff}")
    left = [f for f in outcome.remaining if f.code in (rule.code, "NN000", "NN002")]
    assert not left, (
        f"{rule.code}: still reported after its fix (a fix must make its finding go away):\n{_format(left)}"
    )
    return outcome.applied


def check_documented_examples(rule: Union[Type["Rule"], Type["Probe"]], *, python: Optional[str] = None) -> None:
    """The rule's docstring has the four documentation sections; its ``## Example`` blocks are flagged
    and its ``## Use instead`` blocks are not.

    For a probe (a :class:`nnlint.api.Probe`) the same sections are required and every block must be
    valid Python; a block that is a whole training script (it imports torch and calls ``.step(``) is run through the
    dynamic pass, one instrumented step under ``python`` (default: this interpreter, which then needs
    torch), with only this probe: the ``## Example`` must be reported, the ``## Use instead`` not."""
    from nnlint.api import probe_class

    base = probe_class()
    if base is not None and isinstance(rule, type) and issubclass(rule, base):
        _check_probe_examples(rule, python)
        return
    _check_rule_examples(cast(Type["Rule"], rule))  # not a probe: a rule (or a class that fails the asserts)


def _check_rule_examples(rule: Type[Rule]) -> None:
    sections = rule.sections()
    for title in ("What it does", "Why is this bad?", "Example", "Use instead"):
        assert title in sections, f"{rule.code}: docstring lacks '## {title}'"
    assert rule.code and rule.name and rule.summary, f"{rule.__name__}: set code, name and summary"
    assert rule.wrong_examples() and rule.right_examples(), f"{rule.code}: examples need ```python blocks"
    for example in rule.wrong_examples():
        assert_flags(rule, example)
    for example in rule.right_examples():
        assert_clean(rule, example)


def _check_probe_examples(probe: Type["Probe"], python: Optional[str]) -> None:
    sections = probe.sections()
    for title in ("What it does", "Why is this bad?", "Example", "Use instead"):
        assert title in sections, f"{probe.code}: docstring lacks '## {title}'"
    assert probe.code and probe.name and probe.summary, f"{probe.__name__}: set code, name and summary"
    assert probe.wrong_examples() and probe.right_examples(), f"{probe.code}: examples need ```python blocks"
    for wrong, examples in ((True, probe.wrong_examples()), (False, probe.right_examples())):
        for example in examples:
            try:
                compile(example, f"<{probe.code} example>", "exec")
            except SyntaxError as error:
                raise AssertionError(
                    f"{probe.code}: an example does not parse ({error.msg}, line {error.lineno}):\n{example}"
                ) from None
            if not _whole_script(example) or _only_confirms(probe):
                continue  # a fragment of a script (only a whole one can run), or a probe that reports nothing itself
            found = probe_findings(probe, example, python=python)
            crashes = [f for f in found if f.code == "NN002"]
            assert not crashes, f"{probe.code}: the probe failed on its example:\n{_format(crashes)}"
            own = [f for f in found if f.code == probe.code]
            if wrong:
                assert own, f"{probe.code} did not report its own example at run time:\n{example}"
            else:
                assert not own, f"{probe.code} reported its own right example at run time:\n{_format(own)}"


def _whole_script(example: str) -> bool:
    """An example that runs by itself: it imports torch and takes an optimizer step."""
    imports = any(line.startswith(("import torch", "from torch")) for line in example.splitlines())
    return imports and ".step(" in example


def _only_confirms(probe: Type["Probe"]) -> bool:
    from nnlint.api import probe_class

    return getattr(probe, "check", None) is getattr(probe_class(), "check", None)


def probe_findings(
    probe: Type["Probe"], script: str, *, options: Optional[Mapping[str, Any]] = None, python: Optional[str] = None
) -> List[Finding]:
    """Run a script (dedented) for one instrumented training step, as ``nnlint --dynamic`` does, and
    return what the given probe class (alone, with ``options``) reports on it. Raises AssertionError
    when no training step could be observed."""
    import sys
    import tempfile

    from nnlint.dynamic import run_dynamic

    with tempfile.TemporaryDirectory(prefix="nnlint-probe-") as folder:
        path = Path(folder) / "train.py"
        path.write_text(_snippet(script), encoding="utf-8")
        report = run_dynamic(
            str(path), [], [probe(dict(options or {}))], [], python=python or sys.executable, device="cpu"
        )
    assert report.error is None, f"{probe.code}: the dynamic pass observed no training step: {report.error}"
    return report.findings


@dataclass
class CorpusMismatch:
    path: Path
    expected: List[str]
    reported: List[str]
    details: str = ""

    def __str__(self) -> str:
        return f"{self.path}: expected {self.expected or 'none'}, reported {self.reported or 'none'}\n{self.details}"


@dataclass
class _Header:
    codes: List[str] = field(default_factory=list)
    found: bool = False


def _expect_header(path: Path) -> _Header:
    header = _Header()
    for raw in path.read_text(encoding="utf-8").splitlines()[:40]:
        line = raw.strip()
        if not line.startswith("#"):
            continue
        key, _, value = line.lstrip("#").strip().partition(":")
        if key.strip() != "expect":
            continue
        header.found = True
        if value.strip().lower() != "none":
            header.codes.extend(code for code in value.replace(",", " ").split() if code)
    return header


def _located(item: str) -> Tuple[str, Optional[int]]:
    code, _, line = item.partition("@")
    return code, int(line) if line.isdigit() else None


def _agrees(expected: Sequence[str], findings: Sequence[Finding]) -> bool:
    """Same multiset of codes, and each ``CODE@LINE`` expectation matched by a finding on that line."""
    wanted = [_located(item) for item in expected]
    if Counter(code for code, _ in wanted) != Counter(f.code for f in findings):
        return False
    reported = Counter((f.code, f.line) for f in findings)
    lines = Counter((code, line) for code, line in wanted if line is not None)
    return all(reported[key] >= count for key, count in lines.items())


def check_corpus(rules: RuleClasses, folder: Union[str, Path]) -> List[CorpusMismatch]:
    """Lint every ``.py`` file under ``folder`` with the given rules and compare with its ``# expect:``
    header (``# expect: NNL101@12, NNL101@30``, the line optional: ``NNL101``; or ``# expect: none``), as
    nnlint's own corpus does. Returns the mismatches (empty when all agree); a file without a header is a
    mismatch too."""
    linter = _linter(rules)
    mismatches: List[CorpusMismatch] = []
    files = sorted(p for p in Path(folder).rglob("*.py") if "__pycache__" not in p.parts)
    assert files, f"no corpus scripts under {folder}"
    for path in files:
        header = _expect_header(path)
        findings = linter.lint_file(str(path))
        if not header.found or not _agrees(header.codes, findings):
            reported = sorted(f"{f.code}@{f.line}" for f in findings)
            mismatches.append(CorpusMismatch(path, sorted(header.codes), reported, _format(findings)))
    return mismatches
