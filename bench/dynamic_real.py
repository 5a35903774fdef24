"""The dynamic pass on real public training scripts: false alarms on clean scripts, confirmations of injected bugs.

    python bench/dynamic_real.py                 # every script of bench/dynamic_real.json, then its bugs
    python bench/dynamic_real.py --only nanoGPT,gat  # the scripts whose id contains one of these texts
    python bench/dynamic_real.py --no-plain      # skip the plain runs (no overhead column)
    python bench/dynamic_real.py --experiments --results FILE  # nnlint --dynamic --experiments (NN901-NN904)
    python bench/dynamic_real.py --readme        # print the table of the last results into README.md

The manifest ``bench/dynamic_real.json`` names, for each script, its repository and commit, the files to
take, the folder to run in, its arguments, how its fake data is made (``setup``: random words, characters
(``extra``: ones a script needs), token files, a Cora-like graph, MNIST-shaped IDX files, a
UCI-HAR-shaped npz file, or a script of the
repository itself), the
substitutions that make it run on
CPU in a few steps (``patch``) and the bugs to inject (``bugs``: one text substitution each, with the codes
that count as found). The code is extracted from git mirrors (``--mirrors``, default ``/work/.mirror``:
``<owner>+<name>/repo``) into ``.dynamic_real/`` (git-ignored), a fresh copy per variant; nothing of it is
committed. A script whose ``requires`` module is missing is listed as skipped.

Each variant runs as a user would: ``python -m nnlint check --dynamic --format json SCRIPT -- ARGS`` in the
script's folder. On a clean script every dynamic finding and every static finding confirmed at run time is
a false alarm (unless the manifest lists its code in ``true``); on a bug copy the bug is found when one of
its codes is a dynamic finding or a confirmed static finding. The overhead compares the nnlint run (static
pass, child start, instrumented first steps, evaluation batch) with the plain script run to the end of its
first optimizer step (``bench/dynamic_overhead.py``'s harness). Results go to ``bench/dynamic_real_results.json``.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import pickle
import random
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.dynamic_overhead import PLAIN  # noqa: E402

MANIFEST = REPO / "bench" / "dynamic_real.json"
RESULTS = REPO / "bench" / "dynamic_real_results.json"
WORK = REPO / ".dynamic_real"


class SetupError(Exception):
    """The manifest no longer fits the code (a substitution that does not apply, a file that is missing)."""


def load_manifest() -> List[Dict[str, Any]]:
    data = json.loads(MANIFEST.read_text(encoding="utf-8"))
    by_id = {entry["id"]: entry for entry in data["scripts"]}
    scripts = []
    for entry in data["scripts"]:
        base = by_id[entry["same_as"]] if "same_as" in entry else {}
        merged = {**base, **entry, "bugs": entry.get("bugs", [])}  # a variant runs its own bugs only
        merged["commit"] = data["repositories"][merged["repo"]]
        scripts.append(merged)
    return scripts


def mirror_git_dir(mirrors: Path, repo: str) -> Path:
    """The git folder of a repository's mirror: ``<owner>+<name>/repo``, or its ``.git`` where the mirror was
    fetched as a repository with a work tree."""
    git_dir = mirrors / repo.replace("/", "+") / "repo"
    return git_dir / ".git" if (git_dir / ".git").is_dir() else git_dir


def extract(script: Dict[str, Any], mirrors: Path, target: Path) -> None:
    git_dir = mirror_git_dir(mirrors, script["repo"])
    if not git_dir.exists():
        raise SetupError(f"no mirror of {script['repo']} at {git_dir}")
    archive = subprocess.run(
        ["git", "--git-dir", str(git_dir), "archive", script["commit"], *script["paths"]],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        raise SetupError(f"git archive failed: {archive.stderr.decode(errors='replace')[-300:]}")
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")


def make_data(step: Dict[str, Any], root: Path, env: Dict[str, str]) -> None:
    """One fake-data step of the manifest, inside the variant's folder."""
    if "run" in step:
        cwd = root / step.get("cwd", ".")
        done = subprocess.run([sys.executable, *step["run"]], cwd=cwd, env=env, capture_output=True, timeout=300)
        if done.returncode != 0:
            raise SetupError(f"setup {step['run']} failed: {done.stderr.decode(errors='replace')[-300:]}")
        return
    path = root / step["path"]
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(step.get("seed", 0))
    kind = step["make"]
    if kind == "words":
        vocab = [f"w{i}" for i in range(step["vocab"])]
        lines = (" ".join(rng.choice(vocab) for _ in range(step["words"])) for _ in range(step["lines"]))
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif kind == "chars":
        alphabet = "abcdefghijklmnopqrstuvwxyz .,;\n" + step.get("extra", "")
        path.write_text("".join(rng.choice(alphabet) for _ in range(step["chars"])), encoding="utf-8")
    elif kind == "tokens":
        import numpy as np

        np.random.default_rng(step.get("seed", 0)).integers(0, step["vocab"], step["tokens"], dtype=np.uint16).tofile(
            path
        )
    elif kind == "meta":
        path.write_bytes(pickle.dumps({"vocab_size": step["vocab"]}))
    elif kind == "cora":
        n, f, k = step["nodes"], step["features"], step["classes"]
        rows = []
        for node in range(n):
            bits = " ".join("1" if rng.random() < 0.1 else "0" for _ in range(f))
            rows.append(f"{1000 + node} {bits} class_{rng.randrange(k)}")
        (path / "cora.content").parent.mkdir(parents=True, exist_ok=True)
        (path / "cora.content").write_text("\n".join(rows) + "\n", encoding="utf-8")
        edges = {(rng.randrange(n), rng.randrange(n)) for _ in range(step["edges"])}
        (path / "cora.cites").write_text(
            "\n".join(f"{1000 + a} {1000 + b}" for a, b in sorted(edges)) + "\n", encoding="utf-8"
        )
    elif kind == "mnist_idx":
        write_mnist_idx(path, step)
    elif kind == "har_npz":
        write_har_npz(path, step)
    else:
        raise SetupError(f"unknown setup kind {kind!r}")


def write_har_npz(path: Path, step: Dict[str, Any]) -> None:
    """A UCI-HAR-shaped ``data_har.npz`` (``X_*``: windows of 128 steps of 9 signals, ``Y_*``: one-hot of 6
    activities) whose signals are a sine per class plus noise; the training samples are stored sorted by class, as
    a data set kept one class after another is (a script must shuffle them)."""
    import numpy as np

    rng = np.random.default_rng(step.get("seed", 0))
    time_axis = np.linspace(0, 2 * np.pi, 128)[None, :, None]
    arrays = {}
    for part, count in (("train", step["train"]), ("test", step["test"])):
        labels = rng.integers(0, 6, count)
        if part == "train":
            labels = np.sort(labels)
        signal = np.sin(time_axis * (1 + labels[:, None, None]) + rng.uniform(0, 1, (count, 1, 9)))
        arrays[f"X_{part}"] = (signal + 0.3 * rng.standard_normal((count, 128, 9))).astype(np.float32)
        arrays[f"Y_{part}"] = np.eye(6, dtype=np.float32)[labels]
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **arrays)


def write_mnist_idx(folder: Path, step: Dict[str, Any]) -> None:
    """MNIST-shaped gzipped IDX files (the four of yann.lecun.com's names) of ``train``/``test`` images: each
    class has a random sparse 28x28 prototype, an image is its prototype at a random intensity plus noise, so
    that the fake data can be learnt; the labels are drawn at random (not sorted by class)."""
    import gzip

    import numpy as np

    rng = np.random.default_rng(step.get("seed", 0))
    prototypes = (rng.random((10, 28 * 28)) < 0.2).astype(np.float32)
    folder.mkdir(parents=True, exist_ok=True)
    for prefix, count in (("train", step["train"]), ("t10k", step["test"])):
        labels = rng.integers(0, 10, count).astype(np.uint8)
        intensity = rng.uniform(0.5, 1.0, (count, 1)).astype(np.float32)
        pixels = prototypes[labels] * intensity + rng.random((count, 28 * 28), dtype=np.float32) * 0.3
        images = np.clip(pixels * 255, 0, 255).astype(np.uint8)
        with gzip.open(folder / f"{prefix}-images-idx3-ubyte.gz", "wb", compresslevel=1) as out:
            out.write(np.array([2051, count, 28, 28], dtype=">i4").tobytes() + images.tobytes())
        with gzip.open(folder / f"{prefix}-labels-idx1-ubyte.gz", "wb", compresslevel=1) as out:
            out.write(np.array([2049, count], dtype=">i4").tobytes() + labels.tobytes())


def substitute(root: Path, change: Dict[str, Any]) -> None:
    path = root / change["file"]
    text = path.read_text(encoding="utf-8")
    if change["find"] not in text:
        raise SetupError(f"{change['file']}: {change['find']!r} not found (the code moved on?)")
    path.write_text(text.replace(change["find"], change["replace"]), encoding="utf-8")


def environment(script: Dict[str, Any], root: Path) -> Dict[str, str]:
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="")
    extra = dict(script.get("env", {}))
    paths = [str((root / p).resolve()) for p in extra.pop("PYTHONPATH", "").split(os.pathsep) if p]
    inherited = [str(REPO)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(paths + inherited)
    env.update(extra)
    return env


def prepare(script: Dict[str, Any], variant: str, mirrors: Path, bug: Optional[Dict[str, Any]]) -> Path:
    slug = "".join(c if c.isalnum() else "_" for c in f"{script['id']}__{variant}")
    root = WORK / slug
    extract(script, mirrors, root)
    env = environment(script, root)
    for change in script.get("patch", []):  # what makes it run on CPU in a few steps, data generators included
        substitute(root, change)
    for step in script.get("setup", []):
        make_data(step, root, env)
    if bug:
        substitute(root, bug)
    return root


def run_nnlint(script: Dict[str, Any], root: Path, timeout: float, experiments: bool = False) -> Dict[str, Any]:
    cwd = root / script["cwd"]
    path = os.path.relpath(root / script["cwd"] / script["script"], cwd) if script["cwd"] != "." else script["script"]
    command = [
        sys.executable,
        "-m",
        "nnlint",
        "check",
        "--dynamic",
        *(["--experiments"] if experiments else []),
        "--device",
        "cpu",
        "--timeout",
        str(timeout),
        "--format",
        "json",
        path,
        "--",
        *script["args"],
    ]
    started = time.monotonic()
    done = subprocess.run(
        command, cwd=cwd, env=environment(script, root), capture_output=True, text=True, timeout=timeout + 120
    )
    seconds = time.monotonic() - started
    try:
        findings = json.loads(done.stdout or "[]")
    except json.JSONDecodeError:
        findings = []
    errors = [
        line for line in done.stderr.splitlines() if line.startswith("nnlint:") and "executing the script" not in line
    ]
    # NN004 is the run's own record of what it ran and saw: information, never a verdict
    verdicts = [
        f for f in findings if (f.get("source") == "dynamic" or f.get("confirmed") is True) and f["code"] != "NN004"
    ]
    return {
        "seconds": round(seconds, 2),
        "exit": done.returncode,
        "errors": errors[-3:],
        "verdicts": [
            {
                "code": f["code"],
                "line": f["line"],
                "path": f["path"],
                "source": f["source"],
                "message": f["message"][:300],
            }
            for f in verdicts
        ],
        "static": sorted({f["code"] for f in findings if f.get("source") == "static"}),
        **{
            key: next(((f.get("evidence") or {}).get(key) for f in findings if f["code"] == "NN004"), None)
            for key in ("update_ratio_log10", "stop_reason", "skimmed", "experiments", "experiment_seconds")
        },
    }


def run_plain(script: Dict[str, Any], root: Path, timeout: float) -> Optional[float]:
    target = str((root / script["cwd"] / script["script"]).resolve())
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", PLAIN, target, *script["args"]],
        cwd=root / script["cwd"],
        env=environment(script, root),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    seconds = time.monotonic() - started
    return round(seconds, 2) if "PLAIN" in done.stdout else None


def missing(script: Dict[str, Any]) -> Optional[str]:
    return next((m for m in script.get("requires", []) if importlib.util.find_spec(m) is None), None)


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--only", default="")
    parser.add_argument("--no-plain", action="store_true")
    parser.add_argument("--no-bugs", action="store_true")
    parser.add_argument(
        "--experiments", action="store_true", help="run nnlint with --experiments (NN901-NN904 after the first step)"
    )
    parser.add_argument("--timeout", type=float, default=240)
    parser.add_argument(
        "--results", type=Path, default=RESULTS, help="results file (with --only, rerun rows are merged into it)"
    )
    parser.add_argument(
        "--readme", action="store_true", help="only put the table of bench/dynamic_real_results.json in README.md"
    )
    options = parser.parse_args(argv)
    if options.readme:
        return update_readme(json.loads(options.results.read_text(encoding="utf-8")))
    results: Dict[str, Any] = {"clean": [], "bugs": []}
    for script in load_manifest():
        if not any(part in script["id"] for part in options.only.split(",")):
            continue
        row: Dict[str, Any] = {"id": script["id"], "repo": script["repo"], "commit": script["commit"][:12]}
        lacking = missing(script)
        if lacking:
            row["skipped"] = f"requires {lacking}"
            results["clean"].append(row)
            print(f"{script['id']}: skipped ({row['skipped']})", flush=True)
            continue
        try:
            root = prepare(script, "clean", options.mirrors, None)
            row.update(run_nnlint(script, root, options.timeout, options.experiments))
            if not options.no_plain:
                row["plain_seconds"] = run_plain(script, root, options.timeout)
        except (SetupError, subprocess.TimeoutExpired) as error:
            row["skipped"] = f"setup: {error}"
        alarms = [v for v in row.get("verdicts", []) if v["code"] not in script.get("true", [])]
        row["ran"] = ran(row)
        row["false_alarms"] = len(alarms)
        results["clean"].append(row)
        print(
            f"{script['id']}: {row.get('skipped') or [v['code'] for v in row['verdicts']]} errors={row.get('errors')}",
            flush=True,
        )
        for bug in [] if options.no_bugs or "skipped" in row else script.get("bugs", []):
            entry: Dict[str, Any] = {"script": script["id"], "bug": bug["id"], "expect": bug["expect"]}
            try:
                outcome = run_nnlint(
                    script, prepare(script, bug["id"], options.mirrors, bug), options.timeout, options.experiments
                )
                entry.update(outcome)
                entry["found"] = [v for v in outcome["verdicts"] if v["code"] in bug["expect"]]
            except (SetupError, subprocess.TimeoutExpired) as error:
                entry["skipped"] = str(error)
            results["bugs"].append(entry)
            print(
                f"  bug {bug['id']}: found={[v['code'] for v in entry.get('found', [])]} "
                f"all={[v['code'] for v in entry.get('verdicts', [])]}",
                flush=True,
            )
    if options.only and options.results.exists():  # rerun rows replace theirs in the last results
        results = merge(json.loads(options.results.read_text(encoding="utf-8")), results)
    options.results.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(table(results))
    print(summary(results))
    return 0


def merge(previous: Dict[str, Any], rerun: Dict[str, Any]) -> Dict[str, Any]:
    """``previous`` with the scripts of ``rerun`` (clean rows and their bugs) replaced, in manifest order."""
    ids = {row["id"] for row in rerun["clean"]}
    order = [script["id"] for script in load_manifest()]
    rows = {row["id"]: row for row in previous["clean"] if row["id"] not in ids}
    rows.update({row["id"]: row for row in rerun["clean"]})
    bugs = [b for b in previous["bugs"] if b["script"] not in ids] + rerun["bugs"]
    rank = {script_id: index for index, script_id in enumerate(order)}
    return {
        "clean": [rows[i] for i in order if i in rows],
        "bugs": sorted(bugs, key=lambda b: rank.get(b["script"], len(order))),
    }


def ran(row: Dict[str, Any]) -> bool:
    """The clean run reached a step (nnlint said no error; a note, e.g. the script's own end after the step, is
    fine)."""
    return "skipped" not in row and not any("error:" in line for line in row.get("errors", []))


def summary(results: Dict[str, Any]) -> str:
    ran_rows = [row for row in results["clean"] if ran(row)]
    with_alarm = [row for row in ran_rows if row["false_alarms"]]
    repos = {row["repo"] for row in ran_rows}
    distinct = {(row["repo"], row["id"].split(" (")[0]) for row in ran_rows}
    bugs = [entry for entry in results["bugs"] if "skipped" not in entry]
    found = [entry for entry in bugs if entry.get("found")]
    ratios = sorted(row["seconds"] / row["plain_seconds"] for row in ran_rows if row.get("plain_seconds"))
    spread = f"{ratios[0]:.2f}x to {ratios[-1]:.2f}x, median {ratios[len(ratios) // 2]:.2f}x" if ratios else "n/a"
    return (
        f"{len(ran_rows)} clean runs ({len(distinct)} scripts) from {len(repos)} repositories reached a step; "
        f"{len(with_alarm)} got a dynamic finding or confirmation. {len(found)}/{len(bugs)} injected bugs were "
        "found at run time. "
        f"nnlint --dynamic (static pass included) took {spread} the plain run to the first optimizer step."
    )


def update_readme(results: Dict[str, Any]) -> int:
    readme = REPO / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = "<!-- dynamic-real:start -->", "<!-- dynamic-real:end -->"
    if start not in text or end not in text:
        print(f"README.md has no {start} ... {end} block", file=sys.stderr)
        return 1
    body = f"{start}\n{table(results)}\n\n{summary(results)}\n{end}"
    readme.write_text(text[: text.index(start)] + body + text[text.index(end) + len(end) :], encoding="utf-8")
    return 0


def table(results: Dict[str, Any]) -> str:
    lines = [
        "| clean script | repository | dynamic verdicts (false alarms) | plain to 1st step (s) | nnlint --dynamic "
        "(s) | ratio |",
        "|---|---|---|---:|---:|---:|",
    ]
    for row in results["clean"]:
        if "skipped" in row:
            lines.append(f"| {row['id']} | {row['repo']} | skipped: {row['skipped']} | | | |")
            continue
        codes = ", ".join(v["code"] for v in row["verdicts"]) or "none"
        if not ran(row):
            codes = "no step observed: " + row["errors"][-1][:120].replace("|", "/")
        plain = row.get("plain_seconds")
        ratio = f"{row['seconds'] / plain:.2f}x" if plain else "n/a"
        lines.append(
            f"| {row['id']} | {row['repo']} | {codes} ({row['false_alarms']}) | {plain if plain else 'n/a'} | "
            f"{row['seconds']} | {ratio} |"
        )
    lines += ["", "| injected bug | script | expected | found |", "|---|---|---|---|"]
    for entry in results["bugs"]:
        found = ", ".join(sorted({v["code"] for v in entry.get("found", [])})) or (
            "skipped" if "skipped" in entry else "**no**"
        )
        lines.append(f"| {entry['bug']} | {entry['script']} | {' or '.join(entry['expect'])} | {found} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
