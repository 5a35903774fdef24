"""bench/dynamic_real.py: its manifest is complete and every injected bug still applies to the pinned code."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from bench.dynamic_real import MANIFEST, SetupError, load_manifest, make_data, merge, mirror_git_dir, substitute

MIRRORS = Path("/work/.mirror")


def test_manifest_entries_are_complete_and_variants_inherit_their_base() -> None:
    scripts = load_manifest()
    assert len({s["id"] for s in scripts}) == len(scripts)
    for script in scripts:
        assert {"repo", "commit", "paths", "cwd", "script", "args"} <= set(script), script["id"]
        assert len(script["commit"]) == 40
        for bug in script["bugs"]:
            assert bug["expect"] and all(code.startswith("NN") for code in bug["expect"]), bug["id"]
    gru = next(s for s in scripts if s["id"] == "examples/word_language_model (GRU)")
    assert gru["script"] == "main.py" and "GRU" in gru["args"] and gru["bugs"] == []  # a variant's own bugs only
    assert len({s["repo"] for s in scripts}) >= 4


def test_a_substitution_that_no_longer_applies_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text("loss = criterion(model(x), y)\n", encoding="utf-8")
    substitute(tmp_path, {"file": "train.py", "find": "model(x)", "replace": "model(x).softmax(1)"})
    assert (tmp_path / "train.py").read_text(encoding="utf-8") == "loss = criterion(model(x).softmax(1), y)\n"
    with pytest.raises(SetupError, match="not found"):
        substitute(tmp_path, {"file": "train.py", "find": "optimizer.zero_grad()", "replace": "pass"})


def test_fake_cora_has_the_layout_the_gat_example_parses(tmp_path: Path) -> None:
    make_data(
        {"make": "cora", "path": "cora", "nodes": 20, "features": 5, "classes": 3, "edges": 30, "seed": 1}, tmp_path, {}
    )
    rows = (tmp_path / "cora" / "cora.content").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 20 and all(
        len(row.split()) == 1 + 5 + 1 and row.split()[-1].startswith("class_") for row in rows
    )
    ids = {row.split()[0] for row in rows}
    for edge in (tmp_path / "cora" / "cora.cites").read_text(encoding="utf-8").splitlines():
        assert set(edge.split()) <= ids


@pytest.mark.skipif(not MIRRORS.exists(), reason="no git mirrors on this machine")
def test_every_bug_still_applies_to_the_pinned_commit() -> None:
    for script in load_manifest():
        git_dir = mirror_git_dir(MIRRORS, script["repo"])
        if not git_dir.exists():
            continue
        for change in script.get("patch", []) + script["bugs"]:
            shown = subprocess.run(
                ["git", "--git-dir", str(git_dir), "show", f"{script['commit']}:{change['file']}"],
                capture_output=True,
                text=True,
            )
            assert shown.returncode == 0, f"{script['id']}: {change['file']} missing"
            assert change["find"] in shown.stdout, f"{script['id']}: {change.get('id', 'patch')} no longer applies"


def test_manifest_is_valid_json_with_pinned_repositories() -> None:
    data = json.loads(MANIFEST.read_text(encoding="utf-8"))
    assert all(len(commit) == 40 for commit in data["repositories"].values())


def test_rerun_rows_replace_theirs_in_manifest_order() -> None:
    first, second = load_manifest()[0]["id"], load_manifest()[1]["id"]
    previous = {
        "clean": [{"id": first, "v": 1}, {"id": second, "v": 1}],
        "bugs": [{"script": first, "bug": "a", "v": 1}],
    }
    rerun = {"clean": [{"id": first, "v": 2}], "bugs": [{"script": first, "bug": "a", "v": 2}]}
    merged = merge(previous, rerun)
    assert [(row["id"], row["v"]) for row in merged["clean"]] == [(first, 2), (second, 1)]
    assert merged["bugs"] == [{"script": first, "bug": "a", "v": 2}]
