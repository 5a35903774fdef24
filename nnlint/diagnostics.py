"""Codes nnlint itself reports about its input and its plugins (not rules: they cannot be disabled by a bug)."""

from __future__ import annotations

from typing import Dict, Type

from nnlint.documented import Documented
from nnlint.finding import Severity


class Diagnostic(Documented):
    """Base of the codes the engine itself reports."""


class SyntaxErrorDiagnostic(Diagnostic):
    """## What it does
    Reports a file nnlint cannot read or parse: a syntax error, an undecodable encoding, a null byte.

    ## Why is this bad?
    Nothing else in the file can be checked until it parses; Python would refuse to run it too.

    ## How to fix
    Fix the syntax error at the reported line and column (run `python -m py_compile FILE`).
    """

    code = "NN000"
    name = "syntax-error"
    summary = "the file cannot be read or parsed"


class RuleErrorDiagnostic(Diagnostic):
    """## What it does
    Reports a rule or probe (built-in or from a plugin, which the message names) that raised on this
    file, produced a finding nnlint cannot use, or ran past its time budget (``rule-timeout``), and a
    file whose analysis ran past ``file-timeout``. The other rules still ran; only the failing rule's
    findings are missing.

    ## Why is this bad?
    A silent crash would look like a clean result.

    ## How to fix
    Report it to the rule's author with the file that triggers it; meanwhile `--ignore` the rule's code.
    """

    code = "NN002"
    name = "rule-error"
    summary = "a rule crashed on this file (the others still ran)"


class UnusedNoqaDiagnostic(Diagnostic):
    """## What it does
    Reports a `# noqa: CODE` comment whose nnlint code suppresses nothing on its line, for codes of
    rules that ran on the file (another tool's codes, and a bare `# noqa`, are left alone). Opt-in:
    it is reported only when selected by its full code (`--extend-select NN003`), as ruff's RUF100 is.

    ## Why is this bad?
    A stale `# noqa` hides the next real finding on that line.

    ## How to fix
    Remove the code from the comment (or the comment when nothing is left in it).
    """

    code = "NN003"
    name = "unused-noqa"
    summary = "a `# noqa: CODE` comment suppresses nothing (opt-in)"
    severity = Severity.INFO


class DynamicRunDiagnostic(Diagnostic):
    """## What it does
    After a `--dynamic` run, one record at the script's first line says what the run ran and saw: the
    optimizer steps, the training and evaluation batches, the device, the models, the outcome of every
    `--experiments` experiment (NN901-NN904) and the number of dynamic findings; `evidence` holds the
    same as data, with the experiments' loss curves. It is severity `info` and never changes the exit
    status.

    ## Why is this bad?
    It is not: it is there so that a run with no findings still shows, in every output format (text,
    JSON, SARIF, GitHub annotations), that the script did run and what was checked.

    ## How to fix
    Nothing to fix. It comes last in the report; `--ignore NN004` (or a `--select` that leaves it out)
    hides it, and a run without `--dynamic` has none.
    """

    code = "NN004"
    name = "dynamic-run"
    summary = "what a --dynamic run ran and saw (steps, batches, device, experiments); never fails a run"
    severity = Severity.INFO


DIAGNOSTICS: Dict[str, Type[Documented]] = {
    d.code: d for d in (SyntaxErrorDiagnostic, RuleErrorDiagnostic, UnusedNoqaDiagnostic, DynamicRunDiagnostic)
}
