"""Mutation testing of the rules with mutmut 3: one rule file at a time, against only the tests of that rule.

    python bench/mutation.py NN101 NN201          # every mutant of these rules
    python bench/mutation.py --all                # every rule in nnlint/rules/ (long: ~1-3 min a rule on 2 cores)
    python bench/mutation.py --all --sample 20    # 20 mutants drawn per rule (seeded): a quick run, e.g. for CI
    python bench/mutation.py NN402 --survivors    # also print the diff of each surviving mutant

mutmut is not a dependency of nnlint: install it in a venv of its own together with nnlint's test
dependencies (``python -m venv .venv-mut && .venv-mut/bin/pip install mutmut libcst pluggy click
hypothesis``), then pass ``--mutmut .venv-mut/bin/mutmut`` (the default when that file exists).

For each rule the tree (``nnlint/``, ``tests/``, ``corpus/``, ``plugins/``) is copied to a scratch folder,
mutmut mutates only ``nnlint/rules/<rule>.py`` there, and its test run is limited to that rule's tests:
the ``tests/rules`` files named after the rule (``test_nn402_nn405_loops.py`` covers NN402 to NN405), the
cross-cutting files of ``tests/rules`` that name no rule (locations, names, pinned survivors), the
rule's docstring examples (``tests/test_rule_examples.py``) and the corpus files that mention the code.
mutmut itself then runs, for each mutant, only the tests that reach the mutated function.

Score = killed / (mutants - equivalent); a timeout counts as killed, a mutant that no test reaches as
survived. Mutants shown equivalent (no behaviour of the rule can tell them apart) are listed with the
reason in ``bench/mutation-equivalent.md``; their names (``...__mutmut_N``) are those of the code at the
commit the file names, and a change of the rule renumbers them, so that list is checked again after one.
The per-rule table is printed and written to ``bench/mutation-scores.json`` (not with ``--sample``);
``--readme`` writes the table of every rule recorded there between the mutation markers of README.md.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Set

REPO = Path(__file__).resolve().parent.parent
RULES = REPO / "nnlint" / "rules"
EQUIVALENT = REPO / "bench" / "mutation-equivalent.md"
SCORES = REPO / "bench" / "mutation-scores.json"
README = REPO / "README.md"
README_MARKERS = ("<!-- mutation:start -->", "<!-- mutation:end -->")
COPIED = ("nnlint", "tests", "corpus", "plugins", "pyproject.toml")
KILLED = {"killed", "timeout", "caught by type check", "segfault"}
_RULE_FILE = re.compile(r"nn(\d{3})_\w+\.py")
_RANGE = re.compile(r"nn(\d{3})")


@dataclass
class RuleScore:
    code: str
    module: str
    mutants: int = 0
    killed: int = 0
    survived: List[str] = field(default_factory=list)
    unchecked: List[str] = field(default_factory=list)  # mutmut left them "not checked": not scored, reported
    equivalent: List[str] = field(default_factory=list)
    seconds: float = 0.0
    sampled: bool = False

    @property
    def score(self) -> Optional[float]:
        judged = self.mutants - len(self.equivalent) - len(self.unchecked)
        return 100.0 * self.killed / judged if judged else None


def rule_files() -> Dict[str, Path]:
    found = {}
    for path in sorted(RULES.glob("nn*.py")):
        match = _RULE_FILE.fullmatch(path.name)
        if match:
            found[f"NN{match.group(1)}"] = path
    return found


def _covers(test_name: str, number: int) -> bool:
    """``test_nn402_nn405_loops.py`` covers NN402..NN405; ``test_nn101_x.py`` NN101; a name with no code: all."""
    numbers = [int(n) for n in _RANGE.findall(test_name)]
    if not numbers:
        return True
    if len(numbers) == 2 and numbers[0] // 100 == numbers[1] // 100:
        return numbers[0] <= number <= numbers[1]
    return number in numbers


def test_selection(code: str) -> List[str]:
    number = int(code[2:])
    selection = [
        str(path.relative_to(REPO))
        for path in sorted((REPO / "tests" / "rules").glob("test_*.py"))
        if _covers(path.name, number) and "real_code" not in path.name
    ]
    selection += [
        f"tests/test_rule_examples.py::test_{kind}[{code}]"
        for kind in ("wrong_example_is_flagged", "right_example_is_clean")
    ]
    corpus = REPO / "corpus"
    for path in sorted(corpus.rglob("*.py")):
        relative = str(path.relative_to(corpus))
        if code.lower() in relative.lower() or code in path.read_text(encoding="utf-8", errors="replace"):
            selection.append(f"tests/test_corpus.py::test_corpus_file[{relative}]")
    return selection


def equivalent_mutants() -> Set[str]:
    if not EQUIVALENT.exists():
        return set()
    return set(re.findall(r"`(nnlint\.rules\.[^`\s]+__mutmut_\d+)`", EQUIVALENT.read_text(encoding="utf-8")))


def _setup_cfg(rule: Path, tests: Sequence[str]) -> str:
    lines = [
        "[mutmut]",
        "source_paths=nnlint",
        f"only_mutate=nnlint/rules/{rule.name}",
        "pytest_add_cli_args_test_selection=",
    ]
    lines += [f"  {test}" for test in tests]
    lines += ["pytest_add_cli_args=", "  -p", "  no:cacheprovider", "  -q", "also_copy="]
    lines += [f"  {name}" for name in COPIED if name != "nnlint"]
    return "\n".join(lines) + "\n"


def _results(mutmut: str, work: Path) -> Dict[str, str]:
    out = subprocess.run(
        [mutmut, "results", "--all", "true"], cwd=work, capture_output=True, text=True, check=True
    ).stdout
    statuses = {}
    for line in out.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and "__mutmut_" in name:
            statuses[name] = status.strip()
    return statuses


def run_rule(
    code: str,
    rule: Path,
    mutmut: str,
    sample: Optional[int],
    seed: int,
    children: int,
    keep: Optional[Path],
    show: bool,
) -> RuleScore:
    started = time.monotonic()
    module = f"nnlint.rules.{rule.stem}"
    result = RuleScore(code, module, sampled=sample is not None)
    work = Path(tempfile.mkdtemp(prefix=f"nnlint-mut-{code.lower()}-", dir=keep))
    try:
        for name in COPIED:
            source = REPO / name
            if source.is_dir():
                shutil.copytree(source, work / name, ignore=shutil.ignore_patterns("__pycache__", "mutants"))
            elif source.exists():
                shutil.copy2(source, work / name)
        (work / "setup.cfg").write_text(_setup_cfg(rule, test_selection(code)), encoding="utf-8")
        command = [mutmut, "run", "--max-children", str(children)]
        if sample is not None:  # generate every mutant (and the test stats) by running just the first of each function
            subprocess.run([*command, f"{module}.*__mutmut_1"], cwd=work, capture_output=True, text=True)
            names = sorted(_results(mutmut, work))
            chosen = sorted(random.Random(f"{seed}-{code}").sample(names, min(sample, len(names))))
            subprocess.run([*command, *chosen], cwd=work, capture_output=True, text=True)
            statuses = {name: status for name, status in _results(mutmut, work).items() if name in chosen}
        else:
            run = subprocess.run(command, cwd=work, capture_output=True, text=True)
            if run.returncode != 0:
                raise SystemExit(
                    f"{code}: mutmut run failed ({run.returncode}):\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
                )
            statuses = _results(mutmut, work)
            if "not checked" in statuses.values():  # mutmut stopped early (seen under heavy load): it resumes
                subprocess.run(command, cwd=work, capture_output=True, text=True)
                statuses = _results(mutmut, work)
        equivalent = equivalent_mutants()
        result.mutants = len(statuses)
        result.killed = sum(status in KILLED for status in statuses.values())
        result.equivalent = sorted(
            name for name, status in statuses.items() if name in equivalent and status not in KILLED
        )
        result.unchecked = sorted(name for name, status in statuses.items() if status == "not checked")
        result.survived = sorted(
            name
            for name, status in statuses.items()
            if status not in KILLED and status != "not checked" and name not in equivalent
        )
        if show:
            for name in result.survived:
                diff = subprocess.run([mutmut, "show", name], cwd=work, capture_output=True, text=True).stdout
                print(f"--- {name} ({statuses[name]})\n{diff}")
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)
    result.seconds = round(time.monotonic() - started, 1)
    return result


def table(scores: Sequence[RuleScore]) -> str:
    rows = ["| rule | mutants | killed | equivalent | survived | score |", "|---|---:|---:|---:|---:|---:|"]
    unchecked = sum(len(s.unchecked) for s in scores)
    for s in scores:
        score = f"{s.score:.0f}%" if s.score is not None else "-"
        rows.append(f"| {s.code} | {s.mutants} | {s.killed} | {len(s.equivalent)} | {len(s.survived)} | {score} |")
    mutants = sum(s.mutants for s in scores)
    killed = sum(s.killed for s in scores)
    equivalent = sum(len(s.equivalent) for s in scores)
    survived = sum(len(s.survived) for s in scores)
    judged = mutants - equivalent - unchecked
    total = f"{100.0 * killed / judged:.0f}%" if judged else "-"
    rows.append(f"| **all** | {mutants} | {killed} | {equivalent} | {survived} | **{total}** |")
    if unchecked:
        rows.append(f"\n{unchecked} mutants were left unchecked by mutmut (not scored): run those rules again")
    return "\n".join(rows)


def _recorded() -> List[RuleScore]:
    if not SCORES.exists():
        return []
    scores = []
    for entry in json.loads(SCORES.read_text(encoding="utf-8")).values():
        entry = {key: value for key, value in entry.items() if key in RuleScore.__dataclass_fields__}
        scores.append(RuleScore(**entry))
    return scores


def write_readme() -> None:
    start, end = README_MARKERS
    text = README.read_text(encoding="utf-8")
    if start not in text or end not in text:
        raise SystemExit(f"README.md has no {start} ... {end} markers")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    README.write_text(f"{head}{start}\n{table(_recorded())}\n{end}{tail}", encoding="utf-8")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("codes", nargs="*", help="rule codes (NN101 ...)")
    parser.add_argument("--all", action="store_true", help="every rule in nnlint/rules/")
    parser.add_argument("--sample", type=int, help="mutants drawn per rule (default: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mutmut", default=str(REPO / ".venv-mut" / "bin" / "mutmut"))
    parser.add_argument("--jobs", type=int, default=2, help="mutmut's --max-children")
    parser.add_argument("--survivors", action="store_true", help="print the diff of each surviving mutant")
    parser.add_argument("--keep", type=Path, help="keep the scratch folders under this folder")
    parser.add_argument(
        "--readme",
        action="store_true",
        help="write the recorded scores into README.md (runs nothing else without codes)",
    )
    parser.add_argument("--min-score", type=float, help="exit 1 when a rule scores below this (percent)")
    args = parser.parse_args(argv)
    available = rule_files()
    if args.readme and not args.codes and not args.all:
        write_readme()
        return 0
    codes = sorted(available) if args.all else [code.upper() for code in args.codes]
    unknown = [code for code in codes if code not in available]
    if unknown or not codes:
        parser.error(f"unknown rule codes: {unknown}" if unknown else "name rule codes or --all")
    mutmut = args.mutmut if Path(args.mutmut).exists() else shutil.which("mutmut")
    if mutmut is None:
        parser.error("mutmut not found: install it (see this script's docstring) or pass --mutmut PATH")
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
    scores = []
    for code in codes:
        score = run_rule(code, available[code], mutmut, args.sample, args.seed, args.jobs, args.keep, args.survivors)
        scores.append(score)
        shown = f"{score.score:.0f}%" if score.score is not None else "-"
        print(
            f"{code}: {score.killed}/{score.mutants - len(score.equivalent)} killed ({shown}) in {score.seconds}s",
            flush=True,
        )
        for name in score.survived:
            print(f"  survived: {name}")
    print(table(scores))
    if args.sample is None:
        recorded = json.loads(SCORES.read_text(encoding="utf-8")) if SCORES.exists() else {}
        for score in scores:
            recorded[score.code] = {**asdict(score), "score": score.score}
        SCORES.write_text(json.dumps(dict(sorted(recorded.items())), indent=1) + "\n", encoding="utf-8")
    if args.readme:
        write_readme()
    if args.min_score is not None and any(s.score is not None and s.score < args.min_score for s in scores):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
