"""Corrupt cache entries: each is a miss (the file is linted again and its entry rewritten), on the serial
and the parallel path, and never crashes a run or comes back as findings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest
from click.testing import CliRunner

from nnlint.cache import SETUPS
from nnlint.cli import main
from tests.robustness.test_inputs import TRAINING

Corruption = Callable[[Dict[str, Any]], Any]


def _first_finding(entry: Dict[str, Any]) -> Dict[str, Any]:
    return entry["findings"][0]


def _set(key: str, value: Any) -> Corruption:
    def corrupt(entry: Dict[str, Any]) -> Any:
        entry[key] = value
        return entry

    return corrupt


def _set_in_finding(key: str, value: Any) -> Corruption:
    def corrupt(entry: Dict[str, Any]) -> Any:
        _first_finding(entry)[key] = value
        return entry

    return corrupt


def _short_stamp(entry: Dict[str, Any]) -> Any:
    entry["dependencies"] = {entry["path"]: ["abc"]}  # an existing file: the stamp is read
    return entry


CORRUPTIONS: Dict[str, Corruption] = {
    "a list": lambda entry: [],
    "a number": lambda entry: 7,
    "dependencies as a list": _set("dependencies", ["x"]),
    "a short dependency stamp": _short_stamp,
    "digest as a number": _set("digest", 12),
    "findings as a dict": _set("findings", {}),
    "a finding as a string": _set("findings", ["garbage"]),
    "line as a string": _set_in_finding("line", "3"),
    "line zero": _set_in_finding("line", 0),
    "line as a bool": _set_in_finding("line", True),
    "unknown severity": _set_in_finding("severity", "bogus"),
    "message as a list": _set_in_finding("message", ["x"]),
    "an extra field": _set_in_finding("extra", 1),
    "a missing field": lambda entry: (_first_finding(entry).pop("code"), entry)[1],
    "evidence as a string": _set_in_finding("evidence", "x"),
    "fix without edits": _set_in_finding("fix", {"description": "d"}),
    "an edit as a list": _set_in_finding("fix", {"description": "d", "edits": [[1, 2]]}),
}
RAW_CORRUPTIONS = {
    "deep nesting": "[" * 100_000 + "]" * 100_000,
    "truncated": '{"digest": "ab',
    "not UTF-8": b"\xff\xfe{",
}


def _tree(tmp_path: Path) -> List[Path]:
    files = []
    for index in range(5):  # enough files for the parallel path (it lints fewer than 4 serially)
        path = tmp_path / f"train{index}.py"
        path.write_text(TRAINING)
        files.append(path)
    return files


def _run(tmp_path: Path, jobs: int) -> Any:
    result = CliRunner().invoke(
        main,
        ["--format", "json", "--jobs", str(jobs), str(tmp_path)],
        env={"NNLINT_CACHE_DIR": str(tmp_path / ".cache")},
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def _entries(tmp_path: Path) -> List[Path]:
    """The per-file entries (not the setup records of nnlint.warm_run, tested in tests/perf/test_warm_run.py)."""
    return sorted(p for p in (tmp_path / ".cache").rglob("*.json") if SETUPS not in p.parts)


def _corrupt_all(tmp_path: Path, corrupt: Callable[[Path], None]) -> None:
    entries = _entries(tmp_path)
    assert len(entries) == 5
    for entry in entries:
        corrupt(entry)
    # the setup records go too: their index holds a copy of each entry, which would answer the next run without
    # reading these (a corrupt entry in the index: tests/perf/test_warm_run.py)
    for record in (tmp_path / ".cache").rglob(f"{SETUPS}/*.json"):
        record.unlink()


def _check_recovery(tmp_path: Path, jobs: int, expected: str) -> None:
    result = _run(tmp_path, jobs)
    assert result.exit_code == 1
    assert json.loads(result.stdout) == json.loads(expected)  # not the corrupt entries' content
    for entry in _entries(tmp_path):  # rewritten: valid again
        data = json.loads(entry.read_text())
        assert isinstance(data, dict) and isinstance(data["findings"], list) and data["findings"]
    again = _run(tmp_path, jobs)
    assert json.loads(again.stdout) == json.loads(expected)


@pytest.mark.parametrize("jobs", [1, 2], ids=["serial", "parallel"])
@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_a_structurally_corrupt_entry_is_a_miss(tmp_path: Path, jobs: int, name: str) -> None:
    _tree(tmp_path)
    clean = _run(tmp_path, jobs)
    assert clean.exit_code == 1

    def corrupt(entry: Path) -> None:
        entry.write_text(json.dumps(CORRUPTIONS[name](json.loads(entry.read_text()))))

    _corrupt_all(tmp_path, corrupt)
    _check_recovery(tmp_path, jobs, clean.stdout)


@pytest.mark.parametrize("jobs", [1, 2], ids=["serial", "parallel"])
@pytest.mark.parametrize("name", sorted(RAW_CORRUPTIONS))
def test_an_unreadable_entry_is_a_miss(tmp_path: Path, jobs: int, name: str) -> None:
    _tree(tmp_path)
    clean = _run(tmp_path, jobs)
    raw = RAW_CORRUPTIONS[name]
    _corrupt_all(tmp_path, lambda entry: entry.write_bytes(raw if isinstance(raw, bytes) else raw.encode()))
    _check_recovery(tmp_path, jobs, clean.stdout)
