"""A re-run over an unchanged tree is answered from the cache without loading a rule (nnlint.warm_run):
byte for byte the ordinary run's output, without libcst, and never once anything its setup key covers
has changed (an option, a plugin's source, an installed plugin, nnlint's own source)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from nnlint.cache import SETUPS

REPO = Path(__file__).resolve().parents[2]
PLUGIN_SITE = REPO / "tests" / "plugins" / "guide_plugin" / "site"

# `python -m nnlint ARGS`, then the modules the run loaded, written where $LOADED_FILE says
_PROBE = """
import json, os, runpy, sys
sys.argv = ["nnlint", *sys.argv[1:]]
try:
    runpy.run_module("nnlint", run_name="__main__")
finally:
    with open(os.environ["LOADED_FILE"], "w") as handle:
        json.dump(sorted(sys.modules), handle)
"""

MODELS = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))

    def forward(self, x):
        return self.body(x)
"""
TRAIN = """\
import torch
import torch.nn as nn
from models import Net

model = Net()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=5.0)
for x, y in [(torch.randn(2, 4), torch.tensor([0, 1]))]:
    optimizer.zero_grad(set_to_none=False)
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
"""


class Run:
    def __init__(self, result: "subprocess.CompletedProcess[str]", loaded: List[str]) -> None:
        self.stdout, self.stderr, self.code = result.stdout, result.stderr, result.returncode
        self.loaded = loaded

    @property
    def output(self) -> Tuple[str, str, int]:
        return self.stdout, self.stderr, self.code

    @property
    def fast(self) -> bool:
        """Answered without the rules: neither libcst, the engine, the registry nor a rule module loaded."""
        heavy = ("libcst", "nnlint.engine", "nnlint.registry", "pluggy")
        return not any(name in self.loaded for name in heavy) and not any(
            name.startswith("nnlint.rules.") for name in self.loaded
        )


def _project(root: Path) -> Path:
    project = root / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("[tool.nnlint]\n")
    (project / "models.py").write_text(MODELS)
    (project / "train.py").write_text(TRAIN)
    # evidence whose keys are not in sorted order ({"value": 0.5, "layer": "Linear"})
    shutil.copy2(REPO / "corpus" / "nn204_constant_half_bad4.py", project / "init_half.py")
    return project


def _run(root: Path, *args: str, pythonpath: Optional[List[Path]] = None) -> Run:
    loaded_file = root / "loaded.json"
    env: Dict[str, str] = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": os.pathsep.join(str(p) for p in (pythonpath or [REPO])),
        "NNLINT_CACHE_DIR": str(root / "cache"),
        "LOADED_FILE": str(loaded_file),
    }
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        cwd=str(root / "project"),
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return Run(result, json.loads(loaded_file.read_text()))


def _setups(root: Path) -> List[Path]:
    return sorted((root / "cache").rglob(f"{SETUPS}/*.json"))


def test_a_warm_run_loads_no_rule_and_reports_byte_for_byte_what_the_ordinary_run_does(tmp_path: Path) -> None:
    _project(tmp_path)
    for args in (["--format", "json", "."], ["--statistics", "--show-source", "."], ["-v", "-q", "train.py"]):
        shutil.rmtree(tmp_path / "cache", ignore_errors=True)
        cold = _run(tmp_path, *args)
        assert cold.code == 1 and not cold.fast
        assert len(_setups(tmp_path)) == 1
        warm = _run(tmp_path, *args)
        assert warm.fast, [name for name in warm.loaded if name.startswith(("libcst", "nnlint.rules"))][:5]
        assert warm.output == cold.output
        # the same warm cache read by the ordinary run (its setup record removed): the same output again
        for record in _setups(tmp_path):
            record.unlink()
        ordinary = _run(tmp_path, *args)
        assert not ordinary.fast and ordinary.output == cold.output
    report = json.loads(cold.stdout if cold.stdout.startswith("[") else _run(tmp_path, "--format", "json").stdout)
    assert {(f["path"], f["code"]) for f in report} >= {("train.py", "NN406"), ("init_half.py", "NN204")}
    half = next(f for f in report if f["code"] == "NN204")
    assert list(half["evidence"]) == ["value", "layer"]  # the rule's own key order, after the cache too


def test_a_changed_option_is_never_answered_from_the_cache(tmp_path: Path) -> None:
    project = _project(tmp_path)
    assert "NN406" in _run(tmp_path, "--format", "json", ".").stdout
    assert "NN406" in _run(tmp_path, "--format", "json", ".").stdout
    (project / "pyproject.toml").write_text("[tool.nnlint.options.NN406]\nmax_lr = { SGD = 10.0 }\n")
    changed = _run(tmp_path, "--format", "json", ".")
    assert not changed.fast and "NN406" not in changed.stdout and "NN204" in changed.stdout
    again = _run(tmp_path, "--format", "json", ".")
    assert again.fast and again.output == changed.output
    # a command-line option that changes the configuration is part of the key too
    ignored = _run(tmp_path, "--format", "json", "--ignore", "NN204", ".")
    assert not ignored.fast and "NN204" not in ignored.stdout
    # and a bad option is reported as ever (exit 2), warm cache or not
    (project / "pyproject.toml").write_text("[tool.nnlint.options.NN406]\nmax_lr = 3\n")
    bad = _run(tmp_path, "--format", "json", ".")
    assert bad.code == 2 and "tool.nnlint.options.NN406.max_lr must be" in bad.stderr


def test_an_edited_file_or_dependency_takes_the_ordinary_run(tmp_path: Path) -> None:
    project = _project(tmp_path)
    _run(tmp_path, "--format", "json", ".")
    (project / "models.py").write_text(MODELS.replace("nn.Softmax(dim=1)", "nn.ReLU()"))
    edited = _run(tmp_path, "--format", "json", ".")
    assert not edited.fast and "NN201" not in edited.stdout
    assert _run(tmp_path, "--format", "json", ".").fast


def test_a_plugin_edited_or_removed_is_never_answered_from_the_cache(tmp_path: Path) -> None:
    _project(tmp_path)
    site = tmp_path / "site"
    shutil.copytree(PLUGIN_SITE, site)
    path = [REPO, site]
    first = _run(tmp_path, "--select", "NND", "train.py", pythonpath=path)
    assert first.code == 1 and "NND001 zero_grad(set_to_none=False) fills every gradient" in first.stdout
    assert _run(tmp_path, "--select", "NND", "train.py", pythonpath=path).fast
    rules = site / "nnlint_demo" / "rules.py"
    rules.write_text(rules.read_text().replace("fills every gradient", "writes every gradient"))
    edited = _run(tmp_path, "--select", "NND", "train.py", pythonpath=path)
    assert not edited.fast and "NND001 zero_grad(set_to_none=False) writes every gradient" in edited.stdout
    assert _run(tmp_path, "--select", "NND", "train.py", pythonpath=path).fast
    shutil.rmtree(site / "nnlint_demo-0.1.0.dist-info")  # uninstalled: its code is no longer known
    removed = _run(tmp_path, "--select", "NND", "train.py", pythonpath=path)
    assert removed.code == 2 and "unknown rule code or prefix 'NND'" in removed.stderr


def test_an_edited_nnlint_source_takes_the_ordinary_run(tmp_path: Path) -> None:
    copy = tmp_path / "nnlint-copy"
    shutil.copytree(REPO / "nnlint", copy / "nnlint", ignore=shutil.ignore_patterns("__pycache__"))
    _project(tmp_path)
    _run(tmp_path, "train.py", pythonpath=[copy])
    assert _run(tmp_path, "train.py", pythonpath=[copy]).fast
    rule = copy / "nnlint" / "rules" / "nn406_extreme_learning_rate.py"
    rule.write_text(rule.read_text() + "\n# edited\n")
    assert not _run(tmp_path, "train.py", pythonpath=[copy]).fast


def test_a_corrupt_setup_record_is_ignored(tmp_path: Path) -> None:
    _project(tmp_path)
    cold = _run(tmp_path, "--format", "json", ".")
    for text in ("not json", "[]", json.dumps({"fingerprint": 3, "rules": 1, "problems": [], "plugin_files": {}})):
        for record in _setups(tmp_path):
            record.write_text(text)
        run = _run(tmp_path, "--format", "json", ".")
        assert not run.fast and run.output == cold.output
    assert _run(tmp_path, "--format", "json", ".").fast  # rewritten by the ordinary run


def _records(root: Path) -> List[Dict[str, object]]:
    return [json.loads(record.read_text()) for record in _setups(root)]


def _no_cache(root: Path, *args: str) -> Tuple[str, str, int]:
    return _run(root, "--no-cache", *args).output


def test_the_index_answers_from_one_file_and_new_edited_or_deleted_files_take_the_ordinary_run(tmp_path: Path) -> None:
    project = _project(tmp_path)
    first = _run(tmp_path, "--format", "json", ".")
    (entries,) = [record["entries"] for record in _records(tmp_path)]
    assert isinstance(entries, dict)
    assert sorted(Path(path).name for path in entries) == ["init_half.py", "models.py", "train.py"]
    # the warm run reads the index, not the per-file entries: without them it is answered all the same
    for entry in (tmp_path / "cache").rglob("*.json"):
        if SETUPS not in entry.parts:
            entry.unlink()
    warm = _run(tmp_path, "--format", "json", ".")
    assert warm.fast and warm.output == first.output
    # a new file: linted, and in the index afterwards
    (project / "extra.py").write_text(TRAIN.replace("lr=5.0", "lr=7.0"))
    added = _run(tmp_path, "--format", "json", ".")
    assert not added.fast and added.output == _no_cache(tmp_path, "--format", "json", ".")
    assert ("extra.py", "NN406") in {(finding["path"], finding["code"]) for finding in json.loads(added.stdout)}
    assert _run(tmp_path, "--format", "json", ".").fast
    # a linted file edited (same size, so that only its content tells)
    (project / "extra.py").write_text(TRAIN.replace("lr=5.0", "lr=0.1"))
    edited = _run(tmp_path, "--format", "json", ".")
    assert not edited.fast and edited.output == _no_cache(tmp_path, "--format", "json", ".")
    codes = {(finding["path"], finding["code"]) for finding in json.loads(edited.stdout)}
    assert ("extra.py", "NN201") in codes and ("extra.py", "NN406") not in codes  # lr=0.1 is no extreme rate
    # a deleted file that another one imports: that one is linted again (models.py gave train.py its NN201)
    assert _run(tmp_path, "--format", "json", ".").fast
    (project / "models.py").unlink()
    deleted = _run(tmp_path, "--format", "json", ".")
    assert not deleted.fast and deleted.output == _no_cache(tmp_path, "--format", "json", ".")
    assert "models.py" not in deleted.stdout and "NN201" not in deleted.stdout
    (record,) = _records(tmp_path)  # the deleted file's entry is left out of the index the ordinary run wrote
    assert sorted(Path(path).name for path in record["entries"]) == ["extra.py", "init_half.py", "train.py"]  # type: ignore[union-attr]
    # a deleted file nothing imports: simply no longer reported, warm or not
    (project / "extra.py").unlink()
    gone = _run(tmp_path, "--format", "json", ".")
    assert gone.output == _no_cache(tmp_path, "--format", "json", ".") and "extra.py" not in gone.stdout


def test_a_run_over_part_of_the_tree_keeps_the_rest_of_the_index(tmp_path: Path) -> None:
    _project(tmp_path)
    whole = _run(tmp_path, "--format", "json", ".")
    part = _run(tmp_path, "--format", "json", "--ignore", "NN204", "train.py")  # another setup key: its own record
    assert not part.fast
    assert _run(tmp_path, "--format", "json", "train.py").fast  # the whole tree's record answers for one file
    assert _run(tmp_path, "--format", "json", ".").output == whole.output
    assert _run(tmp_path, "--format", "json", ".").fast


def test_a_corrupt_or_stale_index_entry_falls_back_to_the_file_s_own_entry(tmp_path: Path) -> None:
    _project(tmp_path)
    cold = _run(tmp_path, "--format", "json", ".")
    (path,) = _setups(tmp_path)
    record = json.loads(path.read_text())
    train = next(name for name in record["entries"] if name.endswith("train.py"))
    models = next(name for name in record["entries"] if name.endswith("models.py"))
    record["entries"][train] = {"digest": 3}  # corrupt
    record["entries"][models]["digest"] = "0" * 32  # stale: another content
    del record["entries"][next(name for name in record["entries"] if name.endswith("init_half.py"))]
    path.write_text(json.dumps(record))
    warm = _run(tmp_path, "--format", "json", ".")
    assert warm.fast and warm.output == cold.output  # each file's own entry answered
    repaired = json.loads(path.read_text())["entries"]
    assert len(repaired) == 3 and isinstance(repaired[train]["digest"], str)
    assert repaired[models]["digest"] != "0" * 32
    assert _run(tmp_path, "--format", "json", ".").fast


def test_a_plugin_installed_later_is_never_answered_from_the_cache(tmp_path: Path) -> None:
    _project(tmp_path)
    site = tmp_path / "site"
    site.mkdir()
    path = [REPO, site]
    before = _run(tmp_path, "--format", "json", "train.py", pythonpath=path)
    assert _run(tmp_path, "--format", "json", "train.py", pythonpath=path).fast
    shutil.copytree(PLUGIN_SITE, site, dirs_exist_ok=True)  # a distribution appears on the path: its rules run
    installed = _run(tmp_path, "--format", "json", "train.py", pythonpath=path)
    assert not installed.fast and "NND001" in installed.stdout and "NND001" not in before.stdout
    entry_points = site / "nnlint_demo-0.1.0.dist-info" / "entry_points.txt"
    assert _run(tmp_path, "--format", "json", "train.py", pythonpath=path).fast
    entry_points.write_text("[nnlint]\n")  # the distribution no longer declares the plugin
    withdrawn = _run(tmp_path, "--format", "json", "train.py", pythonpath=path)
    assert not withdrawn.fast and "NND001" not in withdrawn.stdout
