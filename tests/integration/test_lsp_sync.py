"""`nnlint lsp` under a fast typist and a broken client: one lint per pause, of the latest version, and an
error (not a decode failure, not a silently different copy) for edits that cannot be applied."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Dict, List

import pytest

pytest.importorskip("pygls")

from tests.integration.lsp_client import LspClient  # noqa: E402
from tests.integration.test_lsp import BUGGY, _initialize, _open, session  # noqa: E402,F401  (session: a fixture)


def _publishes(client: LspClient, uri: str, seconds: float) -> List[Dict[str, Any]]:
    """Every publishDiagnostics for ``uri`` already received or arriving within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.05)
    while not client.messages.empty():
        client.backlog.append(client.messages.get())
    found = [
        m for m in client.backlog if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
    ]
    client.backlog = [m for m in client.backlog if m not in found]
    return found


def _insert(uri: str, version: int, line: int, character: int, text: str) -> Dict[str, Any]:
    position = {"line": line, "character": character}
    return {
        "textDocument": {"uri": uri, "version": version},
        "contentChanges": [{"range": {"start": position, "end": position}, "text": text}],
    }


def test_a_burst_of_changes_is_linted_once_at_its_latest_version(session: LspClient, tmp_path: Path) -> None:  # noqa: F811
    _initialize(session, tmp_path, {})
    uri = _open(session, tmp_path / "train.py", BUGGY)
    assert [d["code"] for d in session.diagnostics(uri, version=1)] == ["NN201"]
    started = time.monotonic()
    for version in range(2, 202):  # 200 keystrokes: a comment typed at the end of the first line
        column = len("import torch") + version - 2
        session.notify("textDocument/didChange", _insert(uri, version, 0, column, "#" if version == 2 else "x"))
    latest = session.diagnostics(uri, version=201)
    assert time.monotonic() - started < 15
    assert [(d["code"], d["range"]["start"]["line"]) for d in latest] == [("NN201", 8)]
    others = [m["params"]["version"] for m in _publishes(session, uri, 1.0)]
    assert len(others) <= 3 and all(version < 201 for version in others), others  # not one lint per keystroke


@pytest.mark.parametrize(
    "start, problem",
    [
        ({"line": -1, "character": 0}, "change 1: range start line is -1, not a position (0 or more)"),
        ({"line": 0, "character": -3}, "change 1: range start character is -3, not a position (0 or more)"),
        ({"line": 0, "character": "x"}, "change 1: range start character is 'x', not a position (0 or more)"),
        ({"line": 50, "character": 0}, "range start line 50 is past the end of the document (11 lines)"),
    ],
)
def test_an_edit_that_cannot_be_applied_is_an_error_and_a_resync_recovers(
    session: LspClient,  # noqa: F811  (the fixture imported above)
    tmp_path: Path,
    start: Dict[str, Any],
    problem: str,
) -> None:
    _initialize(session, tmp_path, {})
    uri = _open(session, tmp_path / "train.py", BUGGY)
    assert session.diagnostics(uri, version=1)
    end = start if start["line"] == 50 else {"line": 0, "character": 5}
    session.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"range": {"start": start, "end": end}, "text": "zz"}],
        },
    )
    shown = session.wait_for(lambda m: m.get("method") == "window/showMessage")
    assert shown["params"]["type"] == 1  # an error
    assert shown["params"]["message"] == (
        f"nnlint: ignored textDocument/didChange of {uri} (version 2): {problem}; nnlint's copy no longer matches "
        "the editor's, so it shows no diagnostics for the file until it is reopened"
    )
    assert session.diagnostics(uri) == []  # its diagnostics withdrawn: their positions may be wrong now
    # further edits are not applied to a copy known to differ; the whole text brings it back
    session.notify("textDocument/didChange", _insert(uri, 3, 0, 0, "# "))
    session.notify(
        "textDocument/didChange", {"textDocument": {"uri": uri, "version": 4}, "contentChanges": [{"text": BUGGY}]}
    )
    assert [d["code"] for d in session.diagnostics(uri, version=4)] == ["NN201"]


def test_reversed_ranges_are_rejected(session: LspClient, tmp_path: Path) -> None:  # noqa: F811
    _initialize(session, tmp_path, {})
    uri = _open(session, tmp_path / "train.py", BUGGY)
    session.diagnostics(uri, version=1)
    span = {"start": {"line": 3, "character": 0}, "end": {"line": 1, "character": 0}}
    session.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"range": span, "text": ""}]},
    )
    shown = session.wait_for(lambda m: m.get("method") == "window/showMessage")
    assert "change 1: range ends before it starts" in shown["params"]["message"]
