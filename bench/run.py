"""Benchmark of nnlint's static pass against the floor (a bare libcst parse of the same files).

    python bench/run.py            # corpus + samples of torch's sources and the standard library
    python bench/run.py --full     # every file of those trees (long: tens of minutes on 2 cores)
    python bench/run.py --no-readme
    python bench/run.py --tree corpus --tree /path/to/medium   # any trees instead (whole trees)

Each measurement runs in its own fresh interpreter, so imports, caches and peak memory (ru_maxrss)
of one cannot leak into another. Times exclude interpreter start-up and imports except where the row
says "CLI" (then it is the wall time of the whole `nnlint ...` command, as a user sees it).
The markdown table is printed and written between the bench markers of README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
SAMPLE_SEED = 20261123
COLD_START_RUNS = 7


# ---------------------------------------------------------------------------------- file sets
def python_files(root: Path) -> List[Path]:
    found: List[Path] = []
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in ("__pycache__", "site-packages") and not d.startswith("."))
        found.extend(Path(directory, name) for name in sorted(files) if name.endswith(".py"))
    return found


def sample(files: List[Path], budget_bytes: Optional[int]) -> List[Path]:
    """A deterministic random sample of whole files up to about ``budget_bytes`` (all files when None)."""
    if budget_bytes is None:
        return files
    shuffled = list(files)
    random.Random(SAMPLE_SEED).shuffle(shuffled)
    chosen, total = [], 0
    for path in shuffled:
        size = path.stat().st_size
        if total + size > budget_bytes:
            continue
        chosen.append(path)
        total += size
    return sorted(chosen)


def torch_root() -> Optional[Path]:
    import importlib.util

    spec = importlib.util.find_spec("torch")  # locates the package without importing it
    return Path(spec.origin).parent if spec is not None and spec.origin else None


def tree_sets(trees: Sequence[str]) -> List[Tuple[str, List[Path], str]]:
    """Every Python file of each given tree (``--tree DIR``), whole."""
    sets = []
    for tree in trees:
        root = Path(tree).resolve()
        files = python_files(root)
        if not files:
            raise SystemExit(f"bench: no Python files under {tree}")
        sets.append((f"`{Path(tree).name or tree}`", files, f"{_lines(files) / 1000:.0f}k lines"))
    return sets


def _lines(files: Sequence[Path]) -> int:
    total = 0
    for path in files:
        with open(path, "rb") as handle:
            total += handle.read().count(b"\n")
    return total


def file_sets(full: bool) -> List[Tuple[str, List[Path], str]]:
    budget = None if full else 1_500_000
    sets = [("nnlint corpus", sorted(REPO.glob("corpus/**/*.py")), "all")]
    root = torch_root()
    if root is not None:
        files = python_files(root)
        chosen = sample(files, budget)
        sets.append(("torch sources", chosen, "all" if full else f"sample of {len(chosen)}/{len(files)} files"))
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = python_files(stdlib)
    chosen = sample(files, budget)
    sets.append(("standard library", chosen, "all" if full else f"sample of {len(chosen)}/{len(files)} files"))
    return sets


# --------------------------------------------------------------------------- measurements (child)
def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def measure_in_child(kind: str, files: Sequence[str], jobs: int, cache_dir: Optional[str]) -> Dict[str, Any]:
    if kind == "floor":
        import libcst as cst

        from nnlint.analysis.source import SourceError, decode_source

        start, cpu = time.perf_counter(), time.process_time()
        parsed = 0
        for path in files:
            try:
                with open(path, "rb") as handle:
                    cst.parse_module(decode_source(handle.read()))
                parsed += 1
            except (SourceError, cst.ParserSyntaxError, RecursionError):
                pass
        return {
            "seconds": time.perf_counter() - start,
            "cpu": time.process_time() - cpu,
            "files": len(files),
            "parsed": parsed,
            "rss_mb": _max_rss_mb(),
        }
    from nnlint.cache import Cache, run_fingerprint
    from nnlint.config import Config
    from nnlint.engine import Linter
    from nnlint.registry import load_registry

    linter = Linter(Config(), load_registry())
    linter.jobs = jobs
    if cache_dir is not None:
        linter.cache = Cache(Path(cache_dir), run_fingerprint(linter.config, linter.registry, linter.rules))
    start, cpu = time.perf_counter(), time.process_time()
    findings = linter.lint_paths(list(files))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    errors = sum(1 for f in findings if f.code == "NN002")
    return {
        "seconds": seconds,
        "cpu": cpu,
        "files": len(files),
        "findings": len(findings),
        "nn002": errors,
        "rss_mb": _max_rss_mb(),
    }


def run_child(kind: str, files: Sequence[Path], jobs: int = 1, cache_dir: Optional[str] = None) -> Dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump([str(p) for p in files], handle)
        listing = handle.name
    try:
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            kind,
            "--files",
            listing,
            "--jobs",
            str(jobs),
        ]
        if cache_dir is not None:
            command += ["--cache-dir", cache_dir]
        result = subprocess.run(command, capture_output=True, text=True, cwd=REPO, env=_env())
    finally:
        os.unlink(listing)
    if result.returncode != 0:
        raise SystemExit(f"benchmark child {kind} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _env() -> Dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure with bytecode caches, as users normally run
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


class Timed(NamedTuple):
    wall: float  # median wall seconds
    cpu: float  # median CPU seconds (user + system) of the command's processes

    def __str__(self) -> str:
        return f"{self.wall:.2f} s ({self.cpu:.2f} s CPU)"


def _timed_runs(command: Sequence[str], env: Dict[str, str], runs: int, cwd: Optional[Path] = REPO) -> Timed:
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(list(command), capture_output=True, cwd=cwd, env=env)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return Timed(statistics.median(walls), statistics.median(cpus))


def cli_seconds(
    arguments: Sequence[str], env_extra: Optional[Dict[str, str]] = None, runs: int = COLD_START_RUNS
) -> Timed:
    """Median wall and CPU time of `python -m nnlint ARGS` in a fresh process (the first, bytecode-writing run
    discarded).

    On a loaded machine the wall time mostly measures the wait for a core; the CPU time does not.
    """
    env = _env()
    env.update(env_extra or {})
    command = [sys.executable, "-m", "nnlint", *arguments]
    subprocess.run(command, capture_output=True, cwd=REPO, env=env)
    return _timed_runs(command, env, runs)


def python_start_seconds() -> Timed:
    return _timed_runs([sys.executable, "-c", "pass"], _env(), COLD_START_RUNS)


# ------------------------------------------------------------------------------------ report
def dynamic_overhead_row(script: str = "corpus/nn201_sequential_softmax_bad1.py", repeat: int = 3) -> List[str]:
    """The dynamic pass versus the same script run plainly to its first optimizer step (bench/dynamic_overhead.py)."""
    import importlib.util

    label = "dynamic pass overhead (`nnlint --dynamic`, median of 3)"
    try:
        spec = importlib.util.spec_from_file_location("dynamic_overhead", REPO / "bench" / "dynamic_overhead.py")
        if spec is None or spec.loader is None:
            raise ImportError("bench/dynamic_overhead.py not found")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        path = str(REPO / script)
        plain = statistics.median(module.plain_seconds(path) for _ in range(repeat))
        dynamic = statistics.median(module.dynamic_seconds(path) for _ in range(repeat))
    except Exception as error:  # torch missing, the script failing: say so in the table
        return [label, f"**not measured**: {type(error).__name__}: {error}"[:200], "—", "—", "—", "—", "—"]
    return [
        label,
        f"`{Path(script).name}` to its first step: plain {plain:.2f} s",
        f"{dynamic:.2f} s",
        "—",
        f"{dynamic / plain:.2f}× the plain run (+{dynamic - plain:.2f} s)",
        "—",
        "—",
    ]


def _analysed(files: Sequence[Path]) -> List[Path]:
    """The files nnlint's training-code filter lets through to the parse, the model and the rules."""
    from nnlint.analysis.prefilter import TrainingCodeFilter

    scan = TrainingCodeFilter()
    return [p for p in files if scan.may_be_training_code(p.read_bytes(), str(p))[0]]


def _verdict(value: float, limit: float, at_most: bool = True) -> str:
    return "met" if (value <= limit if at_most else value >= limit) else "**not met**"


def benchmark(full: bool, jobs: int, trees: Sequence[str] = ()) -> str:
    rows: List[List[str]] = []
    notes: List[str] = []
    per_line: List[Tuple[str, float]] = []  # (tree, nnlint CPU µs per analysed line)
    for name, files, scope in tree_sets(trees) if trees else file_sets(full):
        size_mb = sum(p.stat().st_size for p in files) / 1e6
        analysed_files = _analysed(files)
        floor = run_child("floor", files)
        floor_analysed = (
            run_child("floor", analysed_files) if analysed_files else {"seconds": 0.0, "cpu": 0.0, "rss_mb": 0.0}
        )
        single = run_child("nnlint", files, jobs=1)
        parallel = run_child("nnlint", files, jobs=jobs)
        cache_dir = tempfile.mkdtemp(prefix="nnlint-bench-cache-")
        try:
            run_child("nnlint", files, jobs=jobs, cache_dir=cache_dir)  # fills the cache
            listing = [str(p) for p in files]
            warm_cli = cli_seconds(
                ["--jobs", str(jobs), "--exit-zero", *listing], {"NNLINT_CACHE_DIR": cache_dir}, runs=3
            )
        finally:
            shutil.rmtree(cache_dir, ignore_errors=True)
        label = f"{name} ({len(files)} files, {size_mb:.1f} MB, {scope}; {len(analysed_files)} analysed)"
        ratio = single["cpu"] / floor_analysed["cpu"] if floor_analysed["cpu"] else None
        per_file = f"{ratio:.2f}×" if ratio is not None else "—"
        lines = _lines(analysed_files)
        micro = single["cpu"] / lines * 1e6 if lines else None
        if micro is not None:
            per_line.append((name, micro))
        rss_ratio = single["rss_mb"] / floor_analysed["rss_mb"] if floor_analysed["rss_mb"] else None
        speedup = single["seconds"] / parallel["seconds"]
        rows.append(
            [
                label,
                "libcst parse of every file",
                f"{floor['seconds']:.2f} s",
                f"{floor['cpu']:.2f} s",
                "—",
                f"{floor['rss_mb']:.0f} MB",
                "—",
                "—",
            ]
        )
        rows.append(
            [
                "",
                "libcst parse of the analysed files (**floor**)",
                f"{floor_analysed['seconds']:.2f} s",
                f"{floor_analysed['cpu']:.2f} s",
                "1.00×",
                f"{floor_analysed['rss_mb']:.0f} MB",
                "—",
                "—",
            ]
        )
        rows.append(
            [
                "",
                f"nnlint, 1 process ({micro:.0f} µs CPU per analysed line)"
                if micro is not None
                else "nnlint, 1 process",
                f"{single['seconds']:.2f} s",
                f"{single['cpu']:.2f} s",
                f"**{per_file}** ({single['cpu'] / floor['cpu']:.2f}× parsing every file)",
                f"{single['rss_mb']:.0f} MB" + (f" ({rss_ratio:.2f}× the floor's)" if rss_ratio is not None else ""),
                str(single["nn002"]),
                "; ".join(
                    t
                    for t in (
                        f"≤ 1.30× CPU: {_verdict(ratio, 1.3)}" if ratio is not None else "",
                        f"RSS ≤ 1.30×: {_verdict(rss_ratio, 1.3)}" if rss_ratio is not None else "",
                    )
                    if t
                )
                or "—",
            ]
        )
        rows.append(
            [
                "",
                f"nnlint --jobs {jobs}",
                f"{parallel['seconds']:.2f} s",
                "—",
                f"{speedup:.2f}× faster than 1 process (wall)",
                "—",
                str(parallel["nn002"]),
                f"≥ 1.7×: {_verdict(speedup, 1.7, at_most=False)}" if jobs == 2 else "—",
            ]
        )
        rows.append(
            [
                "",
                f"nnlint --jobs {jobs}, warm cache (CLI, whole command)",
                f"{warm_cli.wall:.2f} s",
                f"{warm_cli.cpu:.2f} s",
                "—",
                "—",
                "—",
                f"≤ 0.15 s: {_verdict(warm_cli.wall, 0.15)} (CPU: {_verdict(warm_cli.cpu, 0.15)})",
            ]
        )
    one_file = str(REPO / "corpus" / "nn201_sequential_softmax_bad1.py")
    start = python_start_seconds()
    cold = cli_seconds(["--no-cache", one_file])
    cold_cached = cli_seconds([one_file], {"NNLINT_CACHE_DIR": tempfile.mkdtemp(prefix="nnlint-bench-one-")})
    version = cli_seconds(["--version"])
    rows.append(
        [
            "`nnlint one_file.py` cold start (CLI, median of 7)",
            "--no-cache",
            f"{cold.wall:.2f} s",
            f"{cold.cpu:.2f} s",
            "—",
            "—",
            "—",
            f"≤ 0.30 s: {_verdict(cold.wall, 0.3)} (CPU: {_verdict(cold.cpu, 0.3)})",
        ]
    )
    rows.append(["", "cache warm", f"{cold_cached.wall:.2f} s", f"{cold_cached.cpu:.2f} s", "—", "—", "—", "—"])
    rows.append(
        [
            "",
            "`nnlint --version`",
            f"{version.wall:.2f} s",
            f"{version.cpu:.2f} s",
            "—",
            "—",
            "—",
            f"≤ 0.08 s: {_verdict(version.wall, 0.08)} (CPU: {_verdict(version.cpu, 0.08)})",
        ]
    )
    rows.append(
        ["", "`python -c pass` (interpreter alone)", f"{start.wall:.2f} s", f"{start.cpu:.2f} s", "—", "—", "—", "—"]
    )
    if len(per_line) >= 2:
        (small_name, small), (big_name, big) = per_line[-2], per_line[-1]
        rows.append(
            [
                "linearity (nnlint CPU per analysed line)",
                f"{big_name} / {small_name}",
                f"{big:.0f} / {small:.0f} µs",
                "—",
                f"{big / small:.2f}×",
                "—",
                "—",
                f"≤ 1.15×: {_verdict(big / small, 1.15)}",
            ]
        )
    if not trees:
        rows.append(dynamic_overhead_row() + ["—"])
    header = ["files", "what", "wall time", "CPU time", "vs floor (CPU time)", "peak RSS", "NN002", "target"]
    table = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    machine = (
        f"{os.cpu_count()} cores, load average {load:.1f} at the end, Python {sys.version.split()[0]}, "
        f"{time.strftime('%Y-%m-%d')}"
    )
    notes.append(
        f"Measured by `python bench/run.py` ({machine}; times vary with machine load). "
        '"analysed": files the training-code filter let through to the libcst parse, the model and the rules '
        "(the others get only Python's own syntax check). The floor is a bare libcst parse of the analysed files, "
        "so the ratio is nnlint's cost per analysed file, including the skipped files' syntax checks, the models of "
        "project modules they import, and the source positions of files with findings. Times exclude interpreter "
        "start-up except the CLI rows. The ratio uses CPU time, which machine load disturbs less than wall time. "
        + (
            f"Trees measured whole (`python bench/run.py {' '.join('--tree ' + t for t in trees)}`). Peak RSS is the "
            "measuring process's (ru_maxrss); with --jobs the workers' are not included."
            if trees
            else "Samples are fixed-seed random subsets of whole files (about 1.5 MB per tree); `python "
            "bench/run.py --full` measures the whole trees."
        )
    )
    notes.append(
        "How: one libcst parse per analysed file and one read-only walk for the semantic model (libcst's own "
        "`visit` rebuilds every node; layout nodes are skipped); files that import neither torch, numpy, "
        "lightning nor a project module that does are skipped before the parse (their syntax errors are "
        "still reported, NN000); `--jobs` (default: one worker per core; files handed out in batches of one "
        "project's folders) with output sorted as in a serial run; "
        "a content-hash cache (`.nnlint_cache`, or `$NNLINT_CACHE_DIR`; `--no-cache`) keyed by nnlint's version "
        "and sources, the plugins and their source files, the enabled rules and their options, and per file by "
        "its bytes and the hashes of the project files its analysis consulted (including modules probed and not "
        "found); a re-run whose every file is an unchanged hit loads neither a rule nor libcst (a setup record, "
        "keyed by nnlint's sources, the installed distributions, the configuration and the command-line "
        "options, holds what the rule registry would say, and an index of the tree's entries, so that such a "
        "run reads one cache file, not one per linted file). Not covered by the cache key: an `__init__.py` "
        "added or removed above a file (which changes its module name); use `--no-cache` after such a change."
    )
    return "\n".join(table) + "\n\n" + "\n\n".join(notes) + "\n"


def write_readme(section: str) -> None:
    text = README.read_text(encoding="utf-8") if README.exists() else f"{START}\n{END}\n"
    if START not in text or END not in text:
        text = text.rstrip("\n") + f"\n\n{START}\n{END}\n"
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    README.write_text(f"{before}{START}\n{section}{END}{after}", encoding="utf-8")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="whole trees instead of samples")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-readme", action="store_true", help="print the table only")
    parser.add_argument(
        "--tree",
        action="append",
        default=[],
        metavar="DIR",
        help="measure this whole tree instead of the default sets (repeatable; put the smaller first)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--files", help=argparse.SUPPRESS)
    parser.add_argument("--cache-dir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        files = json.loads(Path(args.files).read_text())
        print(json.dumps(measure_in_child(args.child, files, args.jobs, args.cache_dir)))
        return 0
    started = time.perf_counter()
    section = benchmark(args.full, args.jobs, args.tree)
    print(section)
    print(f"(benchmark took {time.perf_counter() - started:.0f} s)", file=sys.stderr)
    if not args.no_readme:
        write_readme(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
