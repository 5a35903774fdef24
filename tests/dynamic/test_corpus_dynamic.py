"""The dynamic pass over every runnable corpus script, on CPU: expected confirmations and symptoms, nothing else.

For each script (skipped when a ``# requires:`` module is missing):

* every NN8xx code in ``# expect-dynamic:`` is reported, and no other dynamic finding (clean twins: none);
* every NN1xx-NN5xx code in ``# expect-dynamic:`` confirms the static finding of that code, or, where
  ``# expect:`` has none of it, is reported by the run on its own (a probe whose evidence is decisive);
* no expected static finding is refuted, and nothing outside ``# expect:`` is confirmed;
* ``no-step`` in ``# expect-dynamic:`` means the script legitimately never reaches an optimizer step
  (e.g. backward() without step()) and the run must end with that one clear error.

All scripts run once, two at a time (CI has two cores), in a module-scoped fixture.
"""

from __future__ import annotations

import importlib.util
import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from nnlint.config import Config
from nnlint.dynamic import DynamicReport, run_dynamic
from nnlint.engine import Linter
from nnlint.finding import Finding
from nnlint.registry import load_registry
from tests.corpus_headers import CORPUS, Expectation, corpus_files, read_expectation

pytestmark = pytest.mark.dynamic
torch_missing = importlib.util.find_spec("torch") is None


def _runnable(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    if "projects" in path.relative_to(CORPUS).parts:
        return "__main__" in text  # a project's library module (a training routine) runs from its entry script
    return "__main__" in text or "backward(" in text


SCRIPTS = [p for p in corpus_files() if _runnable(p)]
NO_STEP = "no-step"
STATIC_FAMILIES = ("NN1", "NN2", "NN3", "NN4", "NN5")


def _missing_requirement(expectation: Expectation) -> str:
    for module in expectation.requires:
        if importlib.util.find_spec(module) is None:
            return module
    return ""


@pytest.fixture(scope="module")
def dynamic_runs(request) -> Dict[Path, Tuple[List[Finding], DynamicReport]]:
    if torch_missing:
        pytest.skip("torch is not installed")
    selected = {
        item.callspec.params["path"]
        for item in request.session.items
        if getattr(item, "module", None) is request.module
        and "path" in getattr(getattr(item, "callspec", None), "params", {})
    }
    scripts = [path for path in SCRIPTS if path in selected]  # only what `-k`/node ids selected
    registry = load_registry()
    linter = Linter(Config(), registry)
    static = {path: linter.lint_file(str(path)) for path in scripts}

    def run(path: Path) -> Tuple[Path, Tuple[List[Finding], DynamicReport]]:
        expectation = read_expectation(path)
        if _missing_requirement(expectation):
            return path, (static[path], DynamicReport(status="skipped"))
        probes = [cls() for cls in registry.probes.values()]
        report = run_dynamic(str(path), expectation.args, probes, static[path], device="cpu", timeout=180)
        return path, (static[path], report)

    workers = max(1, min(2, os.cpu_count() or 1))
    with ThreadPoolExecutor(workers) as pool:
        return dict(pool.map(run, scripts))


@pytest.mark.skipif(torch_missing, reason="torch is not installed")
@pytest.mark.parametrize("path", SCRIPTS, ids=[str(p.relative_to(CORPUS)) for p in SCRIPTS])
def test_dynamic_corpus_file(path: Path, dynamic_runs) -> None:
    expectation = read_expectation(path)
    missing = _missing_requirement(expectation)
    if missing:
        pytest.skip(f"requires {missing}")
    static, report = dynamic_runs[path]
    expected_no_step = NO_STEP in expectation.dynamic
    if report.error:
        assert expected_no_step, f"the dynamic pass failed: {report.error}"
        assert "without reaching a training step" in report.error
        return
    assert not expected_no_step, "expected the run to end without a training step, but a step was observed"

    symptoms = sorted(f.code for f in report.findings)
    static_codes = set(expectation.static)
    # NN8xx symptoms, and NN1xx-NN5xx bugs that only the run shows (no static finding of the code to confirm)
    expected_symptoms = sorted(
        c for c in expectation.dynamic if c.startswith("NN8") or (c[:3] in STATIC_FAMILIES and c not in static_codes)
    )
    details = "\n".join(f"  {f.line}: {f.code} {f.message}" for f in report.findings)
    assert Counter(symptoms) == Counter(expected_symptoms), (
        f"expected symptoms {expected_symptoms}, got {symptoms}:\n{details}"
    )

    expected_static = set(expectation.static)
    to_confirm = {c for c in expectation.dynamic if c[:3] in STATIC_FAMILIES and c in static_codes}
    for finding in static:
        where = f"{finding.code} at line {finding.line}"
        if finding.confirmed and finding.code not in expected_static:
            pytest.fail(f"unexpected static finding confirmed at run time: {where}")
        if finding.code in expected_static:
            assert finding.confirmed is not False, f"the dynamic pass refuted the expected {where} ({finding.evidence})"
        if finding.code in to_confirm:
            assert finding.confirmed is True, f"the dynamic pass did not confirm {where}"
