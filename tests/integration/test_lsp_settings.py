"""`nnlint lsp` (issue 13 item 10): quick fixes for diagnostics whose range the client re-encoded, and
visible warnings for settings the server does not know."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

pytest.importorskip("pygls")

from tests.integration.lsp_client import LspClient  # noqa: E402
from tests.integration.test_lsp import BUGGY, _actions, _apply, _initialize, _open  # noqa: E402


@pytest.fixture
def session(tmp_path: Path) -> Iterator[LspClient]:
    client = LspClient.start(str(tmp_path))
    try:
        yield client
    finally:
        client.shutdown()


def _messages(client: LspClient, count: int) -> List[Dict[str, Any]]:
    return [client.wait_for(lambda m: m.get("method") == "window/showMessage")["params"] for _ in range(count)]


@pytest.mark.parametrize(
    "reencode",
    [
        lambda r: {
            "start": r["start"],
            "end": {"line": r["start"]["line"], "character": r["end"]["character"] + 3},
        },  # other units at the end
        lambda r: {
            "start": {"line": r["start"]["line"], "character": 0},
            "end": {"line": r["start"]["line"] + 1, "character": 0},
        },  # whole line
    ],
)
def test_a_quick_fix_is_offered_for_a_reencoded_range(session: LspClient, tmp_path: Path, reencode: Any) -> None:
    _initialize(session, tmp_path, {})
    uri = _open(session, tmp_path / "train.py", BUGGY)
    diagnostic = session.diagnostics(uri)[0]
    sent_back = {**diagnostic, "range": reencode(diagnostic["range"])}
    assert sent_back["range"] != diagnostic["range"]
    actions = _actions(session, uri, sent_back)
    titles = [a["title"] for a in actions]
    assert any(t.startswith("NN201:") for t in titles) and "Disable NN201 for this line" in titles, titles
    fix = next(a for a in actions if a["title"].startswith("NN201:"))
    assert "nn.Sequential(nn.Linear(20, 10))" in _apply(BUGGY, fix["edit"]["changes"][uri])
    other_line = {**diagnostic, "range": {"start": {"line": 3, "character": 0}, "end": {"line": 3, "character": 5}}}
    quick_fixes = [a for a in _actions(session, uri, other_line) if a["kind"] == "quickfix"]
    assert quick_fixes == []  # the code alone is not enough: the line must match too


def test_unknown_settings_and_codes_are_visible_warnings(session: LspClient, tmp_path: Path) -> None:
    _initialize(session, tmp_path, {"ignore": ["NN201", "NNQQ9"], "selectt": ["NN2"], "select": 3})
    warnings = _messages(session, 3)
    assert {m["type"] for m in warnings} == {2}  # MessageType.Warning
    texts = [m["message"] for m in warnings]
    assert "nnlint: unknown setting 'selectt' (known: select, ignore, extendSelect, extend-select); ignored" in texts
    assert "nnlint: setting 'select' must be a list of codes, not 3; ignored" in texts
    assert "nnlint: setting 'ignore': unknown rule code or prefix 'NNQQ9' (see `nnlint rules`)" in texts
    uri = _open(session, tmp_path / "train.py", BUGGY)
    assert session.diagnostics(uri) == []  # the known part (ignore NN201) still applies
    session.notify("workspace/didChangeConfiguration", {"settings": {"nnlint": {"extendSelect": ["XX1"]}}})
    assert (
        _messages(session, 1)[0]["message"]
        == "nnlint: setting 'extendSelect': unknown rule code or prefix 'XX1' (see `nnlint rules`)"
    )
    assert session.diagnostics(uri) == []
    session.notify(
        "workspace/didChangeConfiguration", {"settings": {"python": {"analysis": {}}}}
    )  # another tool's: no warning
    assert session.diagnostics(uri) == []
    session.notify("workspace/didChangeConfiguration", {"settings": {"nnlint": {"ignore": []}}})
    assert [d["code"] for d in session.diagnostics(uri)] == ["NN201"]
    assert not [m for m in session.backlog if m.get("method") == "window/showMessage"]
