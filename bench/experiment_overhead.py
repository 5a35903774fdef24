"""What ``--experiments`` adds to a dynamic run, against the plain run's time to its first step (CPU).

    python bench/experiment_overhead.py --examples /path/to/pytorch+examples/repo [--repeat 3]
    python bench/experiment_overhead.py SCRIPT [-- ARGS...]

With ``--examples`` (a bare git copy of pytorch/examples), ``mnist/main.py`` is taken from it into a
temporary folder (never into this repository) and run unchanged on fake data: a tiny ``torchvision``
stand-in beside it serves ``datasets.MNIST`` as 512 random 28x28 images with random labels and the few
``transforms`` the script uses, so nothing is downloaded. Three timings, each the median of --repeat:

* plain: a fresh interpreter runs the script and exits at the end of its first optimizer step;
* dynamic: ``run_script`` as ``nnlint --dynamic`` calls it;
* experiments: the same with ``--experiments`` (30 steps).

The issue's bar: the experiments' added time (experiments - dynamic) at most 2x plain.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import List, Optional, Sequence

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from nnlint.dynamic.runner import run_script  # noqa: E402

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
sys.argv = [script, *sys.argv[2:]]
runpy.run_path(script, run_name="__main__")
"""

FAKE_TORCHVISION = {
    "__init__.py": "from . import datasets, transforms\n",
    "transforms.py": """
import torch

class Compose:
    def __init__(self, steps):
        self.steps = list(steps)
    def __call__(self, x):
        for step in self.steps:
            x = step(x)
        return x

class ToTensor:
    def __call__(self, x):
        return x

class Normalize:
    def __init__(self, mean, std):
        self.mean, self.std = torch.tensor(mean).view(-1, 1, 1), torch.tensor(std).view(-1, 1, 1)
    def __call__(self, x):
        return (x - self.mean) / self.std
""",
    "datasets.py": '''
import torch

class MNIST(torch.utils.data.Dataset):
    """Fake MNIST: random images and labels, made on the spot (512 for training, 256 for testing)."""
    def __init__(self, root, train=True, download=False, transform=None, target_transform=None):
        generator = torch.Generator().manual_seed(0 if train else 1)
        count = 512 if train else 256
        self.data = torch.randint(0, 256, (count, 28, 28), dtype=torch.uint8, generator=generator)
        self.targets = torch.randint(0, 10, (count,), generator=generator)
        self.transform = transform
    def __len__(self):
        return len(self.targets)
    def __getitem__(self, index):
        image = self.data[index].float().div(255).unsqueeze(0)
        if self.transform is not None:
            image = self.transform(image)
        return image, int(self.targets[index])
''',
}


def lay_out_mnist(examples: str, folder: Path) -> Path:
    source = subprocess.run(
        ["git", "--git-dir", examples, "show", "HEAD:mnist/main.py"], capture_output=True, text=True, check=True
    ).stdout
    (folder / "mnist").mkdir()
    script = folder / "mnist" / "main.py"
    script.write_text(source, encoding="utf-8")
    package = folder / "mnist" / "torchvision"
    package.mkdir()
    for name, text in FAKE_TORCHVISION.items():
        (package / name).write_text(text, encoding="utf-8")
    return script


def plain_seconds(script: str, args: Sequence[str]) -> float:
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-c", PLAIN, script, *args],
        capture_output=True,
        text=True,
        timeout=600,
        env={"CUDA_VISIBLE_DEVICES": "", "PATH": "/usr/bin:/bin"},
    )
    if "PLAIN" not in out.stdout:
        raise RuntimeError(f"{script}: no step reached plainly: {out.stderr[-500:]}")
    return time.monotonic() - started


def dynamic_seconds(script: str, args: Sequence[str], experiments: Optional[dict]) -> float:
    started = time.monotonic()
    result = run_script(script, list(args), device="cpu", timeout=600, experiments=experiments)
    if result.error:
        raise RuntimeError(f"{script}: {result.error}")
    if experiments and "experiments" not in result.observations:
        raise RuntimeError(f"{script}: the experiments did not run")
    return time.monotonic() - started


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("script", nargs="?")
    parser.add_argument("args", nargs="*")
    parser.add_argument("--examples", help="bare git copy of pytorch/examples: time its mnist/main.py on fake data")
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="nnlint-bench-") as scratch:
        if options.examples:
            script, args = str(lay_out_mnist(options.examples, Path(scratch))), ["--epochs", "1", "--no-accel"]
        elif options.script:
            script, args = options.script, options.args
        else:
            parser.error("give a SCRIPT or --examples")
        plain = statistics.median(plain_seconds(script, args) for _ in range(options.repeat))
        dynamic = statistics.median(dynamic_seconds(script, args, None) for _ in range(options.repeat))
        tried = statistics.median(dynamic_seconds(script, args, {"steps": 30}) for _ in range(options.repeat))
    added = tried - dynamic
    print("| script | plain to 1st step (s) | dynamic (s) | dynamic + experiments (s) | experiments add |")
    print("|---|---:|---:|---:|---:|")
    print(
        f"| {Path(script).parent.name}/{Path(script).name} | {plain:.2f} | {dynamic:.2f} | {tried:.2f} | "
        f"{added:.2f} s = {added / plain:.2f}x plain |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
