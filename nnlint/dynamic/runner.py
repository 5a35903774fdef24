"""Parent side of the dynamic pass: start the child, enforce the timeout, collect its observations.

This module must not import torch: it runs in nnlint's own process, which may not even have torch.
The child runs in its own process group (its own session); :mod:`.processes` ends that group and every
process that left it (a ``setsid()`` daemon) after a normal end, a timeout, Ctrl-C or a terminating signal
(forwarded first), so nothing is left behind.
"""

from __future__ import annotations

import glob
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from nnlint.dynamic.processes import ProcessInfo, ProcessTracker
from nnlint.interrupts import signal_name, signal_of, signals_raise

BOOTSTRAP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_bootstrap.py")
DEFAULT_TIMEOUT = 300.0
EXPERIMENT_BUDGET = 0.75  # --experiments may take this many times the instrumented run's time to its first step
_TAIL = 4000


@dataclass
class RunError:
    """Why the dynamic pass could not observe a training step: one clear message, with a place if known."""

    message: str
    path: Optional[str] = None
    line: Optional[int] = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}: " if self.path and self.line else ""
        return where + self.message


@dataclass
class RunResult:
    script: str
    # stopped | completed | crashed | exited | stdin | timeout | no_report | no_cuda | interrupted | starting |
    # running (died abruptly)
    status: str
    ranks: List[Dict[str, Any]] = field(default_factory=list)  # one payload per rank, rank 0 first
    error: Optional[RunError] = None
    note: Optional[str] = None  # something worth saying that is not an error (e.g. a crash after the step)
    seconds: float = 0.0
    stdout_tail: str = ""
    stderr_tail: str = ""
    ended: List[str] = field(default_factory=list)  # processes that had left the script's process group, ended

    @property
    def observations(self) -> Dict[str, Any]:
        return self.ranks[0].get("observations", {}) if self.ranks else {}


def _launch(interpreter: str, launcher: Optional[str], nproc_per_node: int) -> List[str]:
    if launcher in (None, "", "none"):
        return [interpreter]
    if launcher == "torchrun":
        return [interpreter, "-m", "torch.distributed.run", "--standalone", f"--nproc-per-node={nproc_per_node}"]
    raise ValueError(f"unknown launcher {launcher!r} (expected 'torchrun')")


def child_command(
    script: str,
    args: Sequence[str],
    out: str,
    progress: str,
    python: Optional[str],
    device: str,
    launcher: Optional[str] = None,
    nproc_per_node: int = 1,
    workdir: Optional[str] = None,
    notebook: bool = False,
    experiments: Sequence[str] = (),
) -> List[str]:
    """``experiments``: the harness's ``--experiments`` options (see :func:`experiment_options`)."""
    place = ["--workdir", workdir] if workdir else []
    harness = [
        BOOTSTRAP,
        "--out",
        out,
        "--progress",
        progress,
        "--device",
        device,
        *place,
        *(["--notebook"] if notebook else []),
        *experiments,
        script,
        "--",
        *args,
    ]
    return [*_launch(python or sys.executable, launcher, nproc_per_node), *harness]


def experiment_options(experiments: Optional[Dict[str, Any]]) -> List[str]:
    """The harness options for ``--experiments``: ``{"steps": 30, "budget": 0.75}``, or None for none."""
    if not experiments:
        return []
    budget = float(experiments.get("budget", EXPERIMENT_BUDGET))
    limit = ["--experiment-timeout", str(float(experiments["timeout"]))] if experiments.get("timeout") else []
    return ["--experiments", str(int(experiments.get("steps", 30))), "--experiment-budget", str(budget), *limit]


def user_command(
    script: str, args: Sequence[str], python: Optional[str], launcher: Optional[str] = None, nproc_per_node: int = 1
) -> List[str]:
    """The command the dynamic pass runs, as the user would type it (without nnlint's harness)."""
    return [*_launch(python or sys.executable, launcher, nproc_per_node), os.path.realpath(script), *args]


def child_environment(device: str, launcher: Optional[str], temporary: Optional[str] = None) -> Dict[str, str]:
    """The child's environment; ``temporary``: its TMPDIR, inside nnlint's folder for the run, so that what
    the script (or torch) leaves in temporary files goes when the run ends."""
    env = dict(os.environ)
    if temporary is not None:
        env["TMPDIR"] = env["TEMP"] = env["TMP"] = temporary
    env["PYTHONUNBUFFERED"] = "1"
    env.setdefault("MPLBACKEND", "Agg")
    env.pop("PYTHONSTARTUP", None)
    if device == "cpu":
        env["CUDA_VISIBLE_DEVICES"] = ""
    if launcher == "torchrun":
        env.setdefault("OMP_NUM_THREADS", "1")
    return env


def _tail(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - _TAIL))
            return handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _read_progress(path: str, seen: int) -> Tuple[List[str], int]:
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return [], seen
    return lines[seen:], len(lines)


def run_script(
    script: str,
    args: Sequence[str] = (),
    *,
    python: Optional[str] = None,
    device: str = "auto",
    timeout: float = DEFAULT_TIMEOUT,
    launcher: Optional[str] = None,
    nproc_per_node: int = 1,
    progress: Optional[Callable[[str], None]] = None,
    workdir: Optional[str] = None,
    notebook: bool = False,
    experiments: Optional[Dict[str, Any]] = None,
) -> RunResult:
    """Run ``script`` for one instrumented training step in a child process and collect what it saw.

    ``workdir``: the folder the script runs in and imports from (default: its own); ``notebook``: the
    script is a notebook's code cells, run with the names a notebook has (``display``).

    A terminating signal or Ctrl-C meanwhile is forwarded to the child's processes, which are then ended
    (with any daemon they started), the temporary folder is removed, and the exception propagates."""
    script = os.path.realpath(script)
    run_in = os.path.realpath(workdir) if workdir else os.path.dirname(script)
    started = time.monotonic()
    with signals_raise(), tempfile.TemporaryDirectory(prefix="nnlint-dynamic-") as scratch:
        out = os.path.join(scratch, "observations.json")
        progress_file = os.path.join(scratch, "progress.txt")
        stdout_path, stderr_path = os.path.join(scratch, "stdout.txt"), os.path.join(scratch, "stderr.txt")
        command = child_command(
            script,
            args,
            out,
            progress_file,
            python,
            device,
            launcher,
            nproc_per_node,
            run_in,
            notebook,
            experiment_options(dict(experiments, timeout=timeout) if experiments else None),
        )
        temporary = os.path.join(scratch, "tmp")
        os.mkdir(temporary)
        tracker = ProcessTracker()
        try:
            with open(stdout_path, "wb") as stdout, open(stderr_path, "wb") as stderr:
                try:
                    process = subprocess.Popen(
                        command,
                        stdin=subprocess.DEVNULL,
                        stdout=stdout,
                        stderr=stderr,
                        env=tracker.environment(child_environment(device, launcher, temporary)),
                        cwd=run_in,
                        start_new_session=True,
                        preexec_fn=tracker.before_exec(),
                    )
                except (OSError, subprocess.SubprocessError) as error:
                    message = getattr(error, "strerror", None) or error
                    return RunResult(script, "no_report", error=RunError(f"cannot start {command[0]}: {message}"))
                tracker.started(process.pid)
                timed_out, escaped, shown = _watch(process, tracker, started, timeout, progress_file, progress)
        finally:
            tracker.close()
        if progress is not None:
            for line in _read_progress(progress_file, shown)[0]:
                progress(line.split(" ", 1)[-1])
        stages = [line.split(" ", 1)[-1] for line in _read_progress(progress_file, 0)[0]]
        ranks = _load_ranks(out)
        result = RunResult(
            script,
            "timeout" if timed_out else "no_report",
            ranks=ranks,
            seconds=time.monotonic() - started,
            stdout_tail=_tail(stdout_path),
            stderr_tail=_tail(stderr_path),
            ended=[info.describe() for info in escaped],
        )
    return interpret(result, timeout=timeout, returncode=process.returncode, stages=stages, python=python)


def _watch(
    process: subprocess.Popen,
    tracker: ProcessTracker,
    started: float,
    timeout: float,
    progress_file: str,
    progress: Optional[Callable[[str], None]],
) -> Tuple[bool, List[ProcessInfo], int]:
    """Waits for the child (passing its progress on) until it exits or the timeout; then ends every process
    it left. Returns (timed out, processes that had escaped its process group, progress lines passed on)."""
    seen = 0
    timed_out = False
    try:
        while True:
            try:
                process.wait(timeout=0.1)
                break
            except subprocess.TimeoutExpired:
                pass
            if progress is not None:
                lines, seen = _read_progress(progress_file, seen)
                for line in lines:
                    progress(line.split(" ", 1)[-1])
            if time.monotonic() - started > timeout:
                timed_out = True
                break
        escaped = tracker.end(signal.SIGTERM if timed_out else signal.SIGKILL)
    except BaseException as error:  # a signal, Ctrl-C or anything else: pass it on, leave nothing behind
        tracker.end(signal_of(error))
        _wait(process)
        raise
    _wait(process)
    return timed_out, escaped, seen


def _wait(process: subprocess.Popen) -> None:
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def _load_ranks(out: str) -> List[Dict[str, Any]]:
    payloads: List[Dict[str, Any]] = []
    for path in [out, *sorted(glob.glob(out + ".rank*"), key=lambda p: int(p.rsplit("rank", 1)[-1]))]:
        try:
            with open(path, encoding="utf-8") as handle:
                payloads.append(json.load(handle))
        except (OSError, ValueError):
            continue
    payloads.sort(key=lambda p: p.get("rank", 0))
    return payloads


def _user_frame(error: Dict[str, Any]) -> Tuple[Optional[str], Optional[int], str]:
    frames = error.get("frames") or []
    user = [f for f in frames if f.get("user")] or frames
    if not user:
        return None, None, ""
    last = user[-1]
    trail = " <- ".join(f"{os.path.basename(str(f['path']))}:{f['line']}" for f in reversed(user[-3:]))
    return str(last["path"]), int(last["line"]), trail


def interpret(
    result: RunResult, *, timeout: float, returncode: Optional[int], stages: Sequence[str], python: Optional[str] = None
) -> RunResult:
    """Turn the child's raw end state into one status and, where no step was observed, one clear error."""
    if result.status == "timeout":
        last = stages[-1] if stages else "starting"
        reached = "after its first training step" if "training step" in stages else "before its first training step"
        result.error = RunError(
            f"the script did not finish its instrumented step within {timeout:g} s and was killed with its child "
            f"processes ({reached}; last stage: {last}); raise --timeout or make the script faster to reach a step"
        )
        return result
    interpreter = python or sys.executable
    if not result.ranks:
        result.error = RunError(
            f"the child process {describe_exit(returncode)} without a report{_printed_last(result)} (interpreter: "
            f"{interpreter})"
        )
        return result
    head = result.ranks[0]
    result.status = status = head.get("status", "no_report")
    obs = head.get("observations") or {}
    steps = int(obs.get("steps", 0))
    error = head.get("error") or {}
    if status == "starting":
        result.error = RunError(
            f"could not import torch in {interpreter}: the child process "
            f"{describe_exit(returncode)}{_printed_last(result)}"
        )
    elif status == "running":  # died without unwinding: os._exit, a fatal signal (SIGSEGV, the OOM killer's SIGKILL)
        reached = (
            "after its first training step (its observations were lost)"
            if "training step" in stages
            else "before its first training step"
        )
        result.error = RunError(f"the script {describe_exit(returncode)} {reached}{_printed_last(result)}")
    elif status == "no_cuda":
        result.error = RunError("--device cuda was asked for, but torch.cuda.is_available() is False in the child")
    elif status == "crashed":
        path, line, trail = _user_frame(error)
        message = error.get("text") or f"{error.get('type')}: {error.get('message')}"
        if steps == 0:
            result.error = RunError(
                f"the script raised {message} before its first training step (traceback: {trail})", path, line
            )
        else:
            result.note = f"the script raised {message} after the observed step (at {trail}); observations are complete"
    elif status == "exited":
        code = head.get("exit_code")
        if steps == 0:
            usage = _last_lines(result.stderr_tail, 2)
            path, line, _ = _user_frame(error)
            hint = " (pass the script's own arguments after `--`)" if code not in (0, None) else ""
            result.error = RunError(
                f"the script called sys.exit({code!r}) before its first training step{hint}"
                + (f": {usage}" if usage else ""),
                path,
                line,
            )
    elif status == "stdin":
        path, line, _ = _user_frame(error)
        if steps == 0:
            result.error = RunError(
                "the script reads standard input before its first training step; nnlint provides none", path, line
            )
        else:
            result.note = "the script read standard input after the observed step; it was stopped there"
    elif status == "interrupted":
        result.error = RunError("the script was interrupted (KeyboardInterrupt) before the observation finished")
    elif steps == 0:
        backwards = int(obs.get("backwards", 0))
        seen = (
            "it ran a forward pass but never called backward()"
            if "first forward" in stages and not backwards
            else ("it called backward() but never optimizer.step()" if backwards else "no model forward pass was seen")
        )
        result.error = RunError(
            f"the script {'finished' if status == 'completed' else 'stopped'} without reaching a training step: {seen}"
        )
    return result


_FATAL = {
    "SIGSEGV": "a crash in native code",
    "SIGBUS": "a crash in native code",
    "SIGILL": "a crash in native code",
    "SIGFPE": "a crash in native code",
    "SIGABRT": "an abort, often from native code",
    "SIGKILL": "as the out-of-memory killer does",
}


def describe_exit(returncode: Optional[int]) -> str:
    """How the child ended, as the rest of a sentence: 'exited with status 1', 'was killed by SIGSEGV (...)'."""
    if returncode is None:
        return "ended without an exit status"
    if returncode < 0:
        name = signal_name(-returncode)
        why = _FATAL.get(name)
        return f"was killed by {name}" + (f" ({why})" if why else "")
    return f"exited with status {returncode}"


def _printed_last(result: RunResult) -> str:
    """'; it printed last: ...' from the end of its stderr, else of its stdout; '' if it printed nothing."""
    last = _last_lines(result.stderr_tail, 2) or _last_lines(result.stdout_tail, 2)
    return f"; it printed last: {last[-300:]}" if last else "; it printed nothing"


def _last_lines(text: str, count: int) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " | ".join(lines[-count:])
