"""The findings cache: hits on unchanged trees, misses whenever the file or a file it consulted changed."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import List, Optional

from click.testing import CliRunner

from nnlint.cache import Cache, run_fingerprint
from nnlint.cli import main
from nnlint.config import Config
from nnlint.engine import Linter

MODELS_WITH_SOFTMAX = textwrap.dedent(
    """
    import torch.nn as nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))

        def forward(self, x):
            return self.body(x)
    """
)
TRAIN = textwrap.dedent(
    """
    import torch
    import torch.nn as nn
    from models import Net

    model = Net()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in [(torch.randn(2, 4), torch.tensor([0, 1]))]:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
    """
)


def _linter(cache_dir: Path, config: Optional[Config] = None) -> Linter:
    linter = Linter(config or Config())
    linter.cache = Cache(cache_dir, run_fingerprint(linter.config, linter.registry, linter.rules))
    return linter


def _codes(linter: Linter, paths: List[Path]) -> List[str]:
    return sorted(f"{Path(f.path).name}:{f.code}" for f in linter.lint_paths([str(p) for p in paths]))


def test_warm_run_hits_and_matches(tmp_path: Path) -> None:
    (tmp_path / "models.py").write_text(MODELS_WITH_SOFTMAX)
    (tmp_path / "train.py").write_text(TRAIN)
    (tmp_path / "broken.py").write_text("import torch\ndef f(:\n")
    cache_dir = tmp_path / ".cache"
    cold = _linter(cache_dir)
    cold_findings = [f.to_dict() for f in cold.lint_paths([str(tmp_path)])]
    assert cold.cache.hits == 0 and cold_findings
    warm = _linter(cache_dir)
    assert [f.to_dict() for f in warm.lint_paths([str(tmp_path)])] == cold_findings
    assert warm.cache.hits == 3 and warm.cache.misses == 0


def test_edit_of_an_imported_module_invalidates_the_importer(tmp_path: Path) -> None:
    (tmp_path / "models.py").write_text(MODELS_WITH_SOFTMAX)
    train = tmp_path / "train.py"
    train.write_text(TRAIN)
    cache_dir = tmp_path / ".cache"
    assert "train.py:NN201" in _codes(_linter(cache_dir), [train])
    (tmp_path / "models.py").write_text(MODELS_WITH_SOFTMAX.replace(", nn.Softmax(dim=1)", ""))
    linter = _linter(cache_dir)
    assert "train.py:NN201" not in _codes(linter, [train])
    assert linter.cache.hits == 0


def test_creating_a_module_that_was_missing_invalidates_the_importer(tmp_path: Path) -> None:
    train = tmp_path / "train.py"
    train.write_text(TRAIN)
    cache_dir = tmp_path / ".cache"
    assert "train.py:NN201" not in _codes(_linter(cache_dir), [train])
    (tmp_path / "models.py").write_text(MODELS_WITH_SOFTMAX)
    assert "train.py:NN201" in _codes(_linter(cache_dir), [train])


def test_training_code_filter_dependencies_are_tracked(tmp_path: Path) -> None:
    (tmp_path / "helpers.py").write_text("X = 1\n")
    script = tmp_path / "script.py"
    script.write_text("from helpers import X\ndef f(:\n")  # skipped by the filter, still a syntax finding
    cache_dir = tmp_path / ".cache"
    assert _codes(_linter(cache_dir), [script]) == ["script.py:NN000"]
    (tmp_path / "helpers.py").write_text("import torch\nX = 1\n")  # now script.py may be training code
    linter = _linter(cache_dir)
    assert _codes(linter, [script]) == ["script.py:NN000"]
    assert linter.cache.hits == 0


def test_editing_the_file_and_changing_the_configuration_miss(tmp_path: Path) -> None:
    train = tmp_path / "train.py"
    train.write_text(
        TRAIN.replace("from models import Net\n", "").replace(
            "model = Net()", "model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))"
        )
    )
    cache_dir = tmp_path / ".cache"
    assert _codes(_linter(cache_dir), [train]) == ["train.py:NN201"]
    only_nn101 = _linter(cache_dir, Config(select=["NN101"]))
    assert _codes(only_nn101, [train]) == [] and only_nn101.cache.hits == 0
    train.write_text(train.read_text() + "\n# edited\n")
    linter = _linter(cache_dir)
    assert _codes(linter, [train]) == ["train.py:NN201"] and linter.cache.hits == 0


def test_cli_no_cache_writes_nothing_and_bad_cache_dir_only_warns(tmp_path: Path, monkeypatch) -> None:
    train = tmp_path / "train.py"
    train.write_text(TRAIN)
    (tmp_path / "models.py").write_text(MODELS_WITH_SOFTMAX)
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("NNLINT_CACHE_DIR", str(cache_dir))
    result = CliRunner().invoke(main, ["--no-cache", "--jobs", "1", str(train)])
    assert result.exit_code == 1 and "NN201" in result.output and not cache_dir.exists()
    blocker = tmp_path / "not_a_dir"
    blocker.write_text("")
    monkeypatch.setenv("NNLINT_CACHE_DIR", str(blocker))
    result = CliRunner().invoke(main, ["--jobs", "1", str(train)])
    assert result.exit_code == 1 and "NN201" in result.output
    assert "nnlint: warning: cache disabled" in result.output


def test_parallel_run_uses_and_fills_the_cache(tmp_path: Path) -> None:
    for index in range(6):
        (tmp_path / f"train{index}.py").write_text(
            TRAIN.replace("from models import Net\n", "").replace("Net()", "nn.Linear(4, 3)")
        )
    cache_dir = tmp_path / ".cache"
    linter = _linter(cache_dir)
    linter.jobs = 2
    first = [f.to_dict() for f in linter.lint_paths([str(tmp_path)])]
    warm = _linter(cache_dir)
    warm.jobs = 2
    assert [f.to_dict() for f in warm.lint_paths([str(tmp_path)])] == first
    assert warm.cache.hits == 6
