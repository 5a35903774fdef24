"""Peak memory follows the largest project, not the whole tree: the serial run drops the project index
(the models it keeps for cross-file resolution) when it moves on to another project, and that changes
no finding (a model still needed is rebuilt)."""

from __future__ import annotations

import gc
import shutil
import weakref
from pathlib import Path
from typing import List

import pytest

from nnlint import engine
from nnlint.analysis.project import ProjectIndex
from nnlint.config import Config
from nnlint.engine import Linter

REPO = Path(__file__).resolve().parents[2]
PROJECTS = REPO / "corpus" / "projects"


def _project(tmp_path: Path, name: str, source: str) -> Path:
    folder = tmp_path / name
    shutil.copytree(PROJECTS / source, folder)
    (folder / ".git").mkdir()  # a repository root: its files' imports are resolved inside it
    return folder


def _lint(*folders: Path) -> List[dict]:
    return [f.to_dict() for f in Linter(Config()).lint_paths([str(folder) for folder in folders])]


def test_moving_to_another_project_drops_the_index_and_keeps_the_findings(tmp_path: Path) -> None:
    first = _project(tmp_path, "a", "nn201_library_fit_bad")
    second = _project(tmp_path, "b", "nn103_dataset_module_bad")
    alone = _lint(first) + _lint(second)
    codes = {finding["code"] for finding in alone}
    assert {"NN201", "NN103"} <= codes  # both are cross-file findings: the index served them
    linter = Linter(Config())
    together = [f.to_dict() for f in linter.lint_paths([str(first), str(second)])]
    assert together == alone
    kept = [str(path) for path in linter.project._models]
    assert kept and all(path.startswith(str(second.resolve())) for path in kept)


def test_one_project_keeps_its_index(tmp_path: Path) -> None:
    first = _project(tmp_path, "a", "nn201_library_fit_bad")
    linter = Linter(Config())
    linter.lint_paths([str(first)])
    assert len(linter.project) == len(list(first.glob("*.py")))


def test_a_released_index_is_freed_without_a_garbage_collection(tmp_path: Path) -> None:
    # scopes and their bindings, functions and their calls refer to each other: only a full collection
    # would free them, walking every live object, unless the index breaks those cycles when released
    first = _project(tmp_path, "a", "nn201_library_fit_bad")
    linter = Linter(Config())
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        linter.lint_paths([str(first)])
        models = [model for model in linter.project._models.values() if model is not None]
        assert models
        records = [weakref.ref(model) for model in models]
        records += [weakref.ref(model.module_scope) for model in models]
        records += [weakref.ref(function) for model in models for function in model.functions]
        del models
        dropped, linter.project = linter.project, ProjectIndex()
        dropped.release()
        del dropped
        assert [record for record in records if record() is not None] == []
    finally:
        if was_enabled:
            gc.enable()


def test_an_index_reset_within_a_project_keeps_the_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _project(tmp_path, "a", "nn201_library_fit_bad")
    second = _project(tmp_path, "b", "nn103_dataset_module_bad")
    expected = _lint(first, second)
    monkeypatch.setattr(engine, "_MAX_KEPT_MODELS", 1)  # released after nearly every file
    assert _lint(first, second) == expected
