"""The dynamic pass on a notebook: its code cells run in order as one script, findings mapped back to cells.

The program (:class:`~nnlint.notebooks.NotebookProgram`, IPython lines masked: magics and shell
commands are not run, and the report says so) is written to a temporary folder that is removed
afterwards, and run in the notebook's own folder, so relative paths and sibling modules work as in the
notebook. Static findings are matched to run-time events in program lines; the new findings, and the
place of a crash, come back as notebook cells and lines.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
from pathlib import Path
from typing import Callable, List, Optional, Sequence

from nnlint.dynamic import DynamicReport, apply_probes
from nnlint.finding import Finding
from nnlint.notebooks import NotebookError, NotebookProgram, read_notebook


def run_notebook(
    path: str,
    args: Sequence[str],
    probes: Sequence[object],
    static_findings: Sequence[Finding] = (),
    *,
    python: Optional[str],
    device: str,
    timeout: float,
    launcher: Optional[str],
    nproc_per_node: int,
    progress: Optional[Callable[[str], None]],
    probe_timeout: float = 0.0,
) -> DynamicReport:
    from nnlint.dynamic.runner import run_script

    try:
        notebook = read_notebook(Path(path).read_bytes())
    except OSError as error:
        return DynamicReport(error=f"cannot read {path}: {error.strerror or error}")
    except NotebookError as error:
        return DynamicReport(error=f"{path}: {error.message}")
    if not notebook.is_python:
        return DynamicReport(error=f"{path} is a {notebook.language} notebook; the dynamic pass runs Python")
    program = NotebookProgram.from_notebook(notebook)
    real = os.path.realpath(path)
    own = [f for f in static_findings if os.path.realpath(f.path) == real]
    with tempfile.TemporaryDirectory(prefix="nnlint-notebook-") as folder:
        script = os.path.join(folder, Path(path).stem + ".py")
        Path(script).write_text(program.text, encoding="utf-8")
        in_program = [program.to_program(f, script) for f in own]
        result = run_script(
            script,
            args,
            python=python,
            device=device,
            timeout=timeout,
            launcher=launcher,
            nproc_per_node=nproc_per_node,
            progress=progress,
            workdir=os.path.dirname(os.path.abspath(path)),
            notebook=True,
        )
        report = DynamicReport(note=_notes(program, result.note), seconds=result.seconds, status=result.status)
        if result.error is not None:
            report.error = _describe_error(program, path, script, result.error)
            return report
        found = apply_probes(result.script, result.ranks, probes, in_program, probe_timeout)
    for original, mapped in zip(own, in_program):
        original.confirmed = mapped.confirmed
    report.findings = [_to_notebook(program, f, path, script) for f in found]
    return report


def _to_notebook(program: NotebookProgram, finding: Finding, path: str, script: str) -> Finding:
    if os.path.realpath(finding.path) != os.path.realpath(script):
        return finding  # in a module the notebook imports
    return dataclasses.replace(program.to_cells(finding), path=path)


def _notes(program: NotebookProgram, note: Optional[str]) -> Optional[str]:
    notes: List[str] = []
    if program.masked:
        notes.append(f"skipped {program.masked_summary()}: magics and shell commands are not run")
    if note:
        notes.append(note)
    return "; ".join(notes) or None


def _describe_error(program: NotebookProgram, path: str, script: str, error: object) -> str:
    """The run's error with program places (``train.py:42`` in a traceback) turned into cells."""
    name = re.escape(os.path.basename(script))
    shown = os.path.basename(path)

    def cell_place(match: "re.Match[str]") -> str:
        origin = program.locate(int(match.group(1)))
        return match.group(0) if origin is None else f"{shown}:cell {origin.cell}:{origin.line}"

    message = re.sub(rf"(?<![\w.-]){name}:(\d+)", cell_place, str(getattr(error, "message", error)))
    where_path, where_line = getattr(error, "path", None), getattr(error, "line", None)
    if where_path and where_line:
        if os.path.realpath(str(where_path)) == os.path.realpath(script):
            origin = program.locate(int(where_line))
            if origin is not None:
                return f"{path}:cell {origin.cell}:{origin.line}: {message}"
        return f"{where_path}:{where_line}: {message}"
    return message
