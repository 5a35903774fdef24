"""The child process: run the user's script as ``__main__`` under the recorder, then write observations.

Invoked by :mod:`nnlint.dynamic.runner` through ``_bootstrap.py``::

    python _bootstrap.py --out OBS.json [--progress FILE] [--workdir DIR] [--notebook] SCRIPT [ARGS...]

Whatever happens (a training step, a crash, ``sys.exit``, a read from stdin, no training loop at all), the
observations file is written with a ``status`` the parent turns into findings or one clear error.
"""

from __future__ import annotations

import argparse
import json
import os
import runpy
import sys
import time
import traceback
from typing import Any, Dict, List, Optional


class StdinRead(BaseException):
    """The script tried to read standard input, which a linter cannot provide."""


class _NoStdin:
    """``sys.stdin`` replacement: any read stops the script with a clear report."""

    encoding = "utf-8"
    closed = False

    def _refuse(self, *args: Any, **kwargs: Any) -> str:
        raise StdinRead("the script reads standard input")

    read = readline = readlines = _refuse

    def __iter__(self) -> "_NoStdin":
        self._refuse()
        return self

    def fileno(self) -> int:
        raise OSError("stdin is closed under nnlint --dynamic")

    def isatty(self) -> bool:
        return False

    def close(self) -> None:  # multiprocessing closes stdin in worker processes
        self.closed = True


def _write(path: str, payload: Dict[str, Any]) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(payload, handle, default=str)
    os.replace(tmp, path)


def _progress_writer(path: Optional[str]):
    start = time.monotonic()

    def emit(stage: str) -> None:
        if path:
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(f"{time.monotonic() - start:.2f} {stage}\n")

    return emit


def _distributed_info() -> Dict[str, Any]:
    return {"rank": int(os.environ.get("RANK", "0")), "world_size": int(os.environ.get("WORLD_SIZE", "1"))}


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(prog="nnlint-dynamic-child")
    parser.add_argument("--out", required=True, help="observations file (JSON); a rank suffix is added under torchrun")
    parser.add_argument("--progress", default=None)
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    parser.add_argument("--workdir", default=None, help="folder to run in and import from (default: the script's)")
    parser.add_argument("--notebook", action="store_true", help="the script is a notebook's code cells")
    parser.add_argument(
        "--experiments", type=int, default=0, help="steps of the NN901/NN902 experiments (0: no experiments)"
    )
    parser.add_argument(
        "--experiment-budget",
        type=float,
        default=1.0,
        help="experiments' time, in times the run's time to its first step",
    )
    parser.add_argument(
        "--experiment-timeout",
        type=float,
        default=None,
        help="the run's timeout: the experiments take at most half of what is left",
    )
    parser.add_argument("script")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    options = parser.parse_args(argv)

    dist = _distributed_info()
    out_path = options.out if dist["world_size"] == 1 else f"{options.out}.rank{dist['rank']}"
    emit = _progress_writer(options.progress if dist["rank"] == 0 else None)
    payload: Dict[str, Any] = {"version": 1, "script": os.path.realpath(options.script), **dist, "status": "starting"}
    started = time.monotonic()
    _write(out_path, payload)

    script = os.path.realpath(options.script)
    folder = os.path.realpath(options.workdir) if options.workdir else os.path.dirname(script)
    emit("starting")
    import torch  # noqa: E402  (the user's torch, in the user's interpreter)

    from .frames import traceback_frames
    from .instrument import install
    from .recorder import Recorder, StopScript

    payload["torch"] = torch.__version__
    payload["import_seconds"] = round(time.monotonic() - started, 3)
    payload["device"] = "cuda" if torch.cuda.is_available() else "cpu"
    if options.device == "cuda" and not torch.cuda.is_available():
        payload.update(status="no_cuda")
        _write(out_path, payload)
        return 0
    emit("torch imported")
    payload["status"] = "running"  # from here, a report still saying so means the process died abruptly
    _write(out_path, payload)

    recorder = Recorder(script, emit)
    recorder.launched = started
    if options.experiments > 0:
        from .experiment_capture import Capture

        recorder.capture = Capture()
        recorder.experiment_steps = options.experiments
        recorder.experiment_budget = options.experiment_budget
        recorder.experiment_timeout = options.experiment_timeout
    os.chdir(folder)
    sys.path.insert(0, folder)
    if options.args[:1] == ["--"]:
        sys.argv = [script, *options.args[1:]]
    else:
        sys.argv = [script, *options.args]
    sys.stdin = _NoStdin()
    os.environ.setdefault("MPLBACKEND", "Agg")
    remove = install(recorder)
    status, error, exit_code = "completed", None, None
    try:
        runpy.run_path(script, init_globals=_notebook_names() if options.notebook else None, run_name="__main__")
    except StopScript:
        status = "stopped"
    except StdinRead:
        status = "stdin"
        error = {
            "type": "StdinRead",
            "message": "the script reads standard input",
            "frames": _frames(sys.exc_info()[2], recorder, traceback_frames),
        }
    except SystemExit as exc:
        status = "exited"
        exit_code = exc.code if isinstance(exc.code, int) or exc.code is None else str(exc.code)
        error = {
            "type": "SystemExit",
            "message": str(exc.code),
            "frames": _frames(sys.exc_info()[2], recorder, traceback_frames),
        }
    except KeyboardInterrupt:
        status = "interrupted"
    except BaseException as exc:  # the user's script crashed: report where
        status = "crashed"
        error = {
            "type": type(exc).__name__,
            "message": str(exc)[:2000],
            "frames": _frames(exc.__traceback__, recorder, traceback_frames),
            "text": "".join(traceback.format_exception_only(type(exc), exc)).strip()[-2000:],
        }
    finally:
        recorder.stopped = True
        try:
            remove()
        except Exception:
            pass
    payload.update(
        status=status,
        error=error,
        exit_code=exit_code,
        seconds=round(time.monotonic() - started, 3),
        observations=recorder.obs,
    )
    _write(out_path, payload)
    emit("done")
    return 0


def _notebook_names() -> Dict[str, Any]:
    """Names a notebook's code can use without importing them: IPython's ``display`` (as plain text here)."""

    def display(*objects: Any, **_options: Any) -> None:
        for value in objects:
            print(repr(value))

    return {"display": display}


def _frames(tb, recorder, traceback_frames) -> List[Dict[str, Any]]:
    try:
        return traceback_frames(tb, recorder.frames)
    except Exception:
        return []
