"""Analyses kept per file live in the model's own declared store (``SemanticModel.cached_analysis``), not in
attributes set onto it from outside; ``engine`` and ``parallel`` do not import each other at run time."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Iterator, List

from nnlint.analysis.batch_shapes import _state
from nnlint.analysis.model import SemanticModel
from nnlint.analysis.modes import _summaries_of, mode_analysis
from nnlint.analysis.optimization import loop_facts
from nnlint.analysis.source import parse_source

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "nnlint"
# The model and the mixins it is made of (nnlint/analysis/model.py): they may keep caches in their own __dict__.
MODEL_PARTS = {
    "model.py",
    "structure.py",
    "names.py",
    "bindings.py",
    "objects.py",
    "usage.py",
    "tails.py",
    "contents.py",
    "loops.py",
    "builder.py",
}

TRAINING = """\
import torch
from torch import nn

model = nn.Linear(4, 2)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
loss_fn = nn.CrossEntropyLoss()
for x, y in loader:
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
"""


def _model() -> SemanticModel:
    return SemanticModel(parse_source(TRAINING))


def test_analyses_are_built_once_per_model_and_kept_in_its_store() -> None:
    model = _model()
    assert mode_analysis(model) is mode_analysis(model)
    assert _summaries_of(model) is _summaries_of(model)
    assert _summaries_of(model) is not mode_analysis(model)
    (loop,) = model.loops
    assert loop_facts(model, loop) is loop_facts(model, loop)
    assert _state(model) is _state(model)
    assert set(model._analyses) == {"modes", "mode-summaries", "loop-facts", "tensor-shapes", "ignite-engines"}
    assert not [name for name in vars(model) if name.startswith("_nnlint")]
    assert mode_analysis(_model()) is not mode_analysis(model)  # per model, never shared


def test_cached_analysis_calls_build_only_the_first_time() -> None:
    model = _model()
    built: List[int] = []
    first = model.cached_analysis("test-key", lambda: built.append(1) or ["result"])
    second = model.cached_analysis("test-key", lambda: built.append(2) or ["other"])
    assert first is second and first == ["result"] and built == [1]


def _outside_writes(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "__dict__"
            and isinstance(node.value, ast.Name)
            and node.value.id == "model"
        ):
            yield f"line {node.lineno}: model.__dict__"
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "setattr"
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id == "model"
        ):
            yield f"line {node.lineno}: setattr(model, ...)"


def test_no_module_outside_the_model_sets_attributes_on_it() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.parent.name == "analysis" and path.name in MODEL_PARTS:
            continue
        found += [f"{path.relative_to(REPO)} {where}" for where in _outside_writes(ast.parse(path.read_text()))]
    assert found == []


def _runtime_imports(path: Path) -> List[str]:
    """Modules imported by ``path`` anywhere but under ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text())
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            skipped.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    names = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return names


def test_parallel_does_not_import_the_engine_at_run_time() -> None:
    assert "nnlint.engine" not in _runtime_imports(PACKAGE / "parallel.py")
    assert "nnlint.parallel" in _runtime_imports(PACKAGE / "engine.py")  # one way only
    probe = "import sys, nnlint.parallel; print('nnlint.engine' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": ""},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
