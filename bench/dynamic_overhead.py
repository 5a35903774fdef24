"""Overhead of the dynamic pass: the instrumented run versus the same script run plainly to its first step.

    python bench/dynamic_overhead.py [SCRIPT ...]     # default: a few corpus scripts

"Plain" is a fresh interpreter that imports torch, runs the script as __main__ and exits at the end of its
first optimizer step (a step post-hook; nothing else instrumented): imports + set-up + one step, the floor.
"Dynamic" is `run_script` as the CLI calls it (child start, instrumentation, first step, second step,
first evaluation batch, JSON back), wall time seen by the parent. Each is the median of --repeat runs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import List

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from nnlint.dynamic.runner import run_script  # noqa: E402

DEFAULT_SCRIPTS = [
    "corpus/symptom_initial_loss_off_chance_ok.py",
    "corpus/symptom_dead_units_ok.py",
    "corpus/nn201_sequential_softmax_bad1.py",
    "corpus/symptom_custom_gradient_mismatch_ok.py",
]

PLAIN = """
import os, runpy, sys, time
start = time.monotonic()
import torch
from torch.optim.optimizer import register_optimizer_step_post_hook
def done(*args):
    print(f"PLAIN {time.monotonic() - start:.3f}", flush=True)
    os._exit(0)
register_optimizer_step_post_hook(done)
script = sys.argv[1]
os.chdir(os.path.dirname(script))
sys.path.insert(0, os.path.dirname(script))
sys.argv = sys.argv[1:]  # the script and its arguments
runpy.run_path(script, run_name="__main__")
"""


def plain_seconds(script: str) -> float:
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-c", PLAIN, script],
        capture_output=True,
        text=True,
        timeout=300,
        env={"CUDA_VISIBLE_DEVICES": "", "PATH": "/usr/bin:/bin"},
    )
    wall = time.monotonic() - started
    if "PLAIN" not in out.stdout:
        raise RuntimeError(f"{script}: no step reached plainly: {out.stderr[-500:]}")
    return wall


def dynamic_seconds(script: str) -> float:
    started = time.monotonic()
    result = run_script(script, device="cpu", timeout=300)
    if result.error:
        raise RuntimeError(f"{script}: {result.error}")
    return time.monotonic() - started


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("scripts", nargs="*", default=DEFAULT_SCRIPTS)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args(argv)
    print("| script | plain to 1st step (s) | dynamic pass (s) | overhead |")
    print("|---|---:|---:|---:|")
    for name in options.scripts:
        script = str((REPO / name).resolve()) if not Path(name).is_absolute() else name
        plain = statistics.median(plain_seconds(script) for _ in range(options.repeat))
        dynamic = statistics.median(dynamic_seconds(script) for _ in range(options.repeat))
        print(
            f"| {Path(name).name} | {plain:.2f} | {dynamic:.2f} | {dynamic / plain:.2f}x (+{dynamic - plain:.2f} s) |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
