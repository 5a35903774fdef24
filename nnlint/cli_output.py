"""What every command of the command line shares: the exit statuses, one-line errors, and writing the report."""

from __future__ import annotations

import collections
import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional, Sequence

import click

from nnlint.cli_fix import summary_line
from nnlint.config import Config
from nnlint.finding import Finding
from nnlint.formatters import FormatOptions, format_findings
from nnlint.terminal import _is_terminal as is_terminal
from nnlint.terminal import use_color

if TYPE_CHECKING:
    from nnlint.cli_paths import GivenPaths


EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


HUMAN_FORMATS = ("text", "grouped")  # --statistics is appended to these reports; for the others it goes to stderr


def split_codes(values: Sequence[str]) -> List[str]:
    return [code.strip() for value in values for code in value.split(",") if code.strip()]


def fail(message: str) -> "click.exceptions.Exit":
    click.echo(f"nnlint: error: {message}", err=True)
    return click.exceptions.Exit(EXIT_ERROR)


@dataclasses.dataclass(frozen=True)
class ReportOptions:
    output_format: str
    output_file: Optional[str]
    show_source: bool
    color: str
    statistics: bool
    fix_only: bool
    show_fixes: bool
    exit_non_zero_on_fix: bool
    exit_zero: bool


def report_and_exit(
    findings: List[Finding],
    config: Config,
    given: "GivenPaths",
    report: ReportOptions,
    dynamic_error: Optional[str],
    report_to_stderr: bool,
    fixed_any: bool,
    stdin_name: str,
    stdin_source: Optional[str] = None,
) -> None:
    """Write the report, then exit with the run's status."""
    output_file = report.output_file
    report_stream = None if output_file else (sys.stderr if report_to_stderr else sys.stdout)
    marks = (
        report.output_format in HUMAN_FORMATS
        and not report.fix_only
        and (report.show_fixes or is_terminal(report_stream))
    )
    options = FormatOptions(
        show_source=report.show_source,
        color=use_color(report.color, report_stream),
        sources={stdin_name: stdin_source or ""},
        fixable=config.may_fix if marks else None,
    )
    text = format_findings(report.output_format, findings, options)
    if marks and findings:
        text += summary_line(findings, config)
    if report.statistics and report.output_format in HUMAN_FORMATS:
        text += statistics_report(findings)
    elif report.statistics:  # a machine-read report stays valid on stdout: the counts go to stderr
        click.echo(statistics_report(findings), err=True, nl=False)
    if report_to_stderr and not output_file:
        click.echo(text, err=True, nl=False)
    else:
        write_report(text, output_file)
    if dynamic_error:
        raise fail(dynamic_error)
    if given.missing:
        raise click.exceptions.Exit(EXIT_ERROR)
    if report.exit_non_zero_on_fix and fixed_any:
        raise click.exceptions.Exit(EXIT_FINDINGS)
    failing = [f for f in findings if f.code != "NN004"]  # the dynamic run's record is information, not a finding
    raise click.exceptions.Exit(EXIT_FINDINGS if failing and not report.exit_zero else EXIT_CLEAN)


def statistics_report(findings: Sequence[Finding]) -> str:
    counts = collections.Counter((f.code, f.name) for f in findings)
    return "".join(f"{count:<5} {code} {name}\n" for (code, name), count in sorted(counts.items()))


def write_report(report: str, output_file: Optional[str]) -> None:
    if output_file:
        try:
            Path(output_file).write_text(report, encoding="utf-8")
        except OSError as error:
            raise fail(f"cannot write {output_file}: {error.strerror or error}") from None
        return
    stream = sys.stdout
    try:
        stream.write(report)
    except UnicodeEncodeError:
        stream.buffer.write(report.encode(stream.encoding or "utf-8", errors="backslashreplace"))
    stream.flush()
