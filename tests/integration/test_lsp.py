"""`nnlint lsp` end to end: a real client session over stdio against the real server process."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

pytest.importorskip("pygls")

from tests.integration.lsp_client import LspClient  # noqa: E402

BUGGY = textwrap.dedent(
    """\
    import torch
    import torch.nn as nn

    model = nn.Sequential(nn.Linear(20, 10), nn.Softmax(dim=1))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)  # é
        loss.backward()
        optimizer.step()
    """
)


def _apply(text: str, edits: List[Dict[str, Any]]) -> str:
    """Apply LSP TextEdits (UTF-16 positions) the way an editor does."""
    lines = text.splitlines(keepends=True)

    def offset(position: Dict[str, int]) -> int:
        line = lines[position["line"]] if position["line"] < len(lines) else ""
        before = sum(len(line) for line in lines[: position["line"]])
        units, chars = 0, 0
        while units < position["character"] and chars < len(line):
            units += 2 if ord(line[chars]) > 0xFFFF else 1
            chars += 1
        return before + chars

    for edit in sorted(
        edits, key=lambda e: (e["range"]["start"]["line"], e["range"]["start"]["character"]), reverse=True
    ):
        start, end = offset(edit["range"]["start"]), offset(edit["range"]["end"])
        text = text[:start] + edit["newText"] + text[end:]
        lines = text.splitlines(keepends=True)
    return text


@pytest.fixture
def session(tmp_path: Path) -> Iterator[LspClient]:
    client = LspClient.start(str(tmp_path))
    try:
        yield client
    finally:
        client.shutdown()


def _initialize(client: LspClient, root: Path, options: Dict[str, Any]) -> Dict[str, Any]:
    result = client.request(
        "initialize",
        {
            "processId": None,
            "rootUri": root.as_uri(),
            "capabilities": {
                "textDocument": {
                    "publishDiagnostics": {},
                    "codeAction": {
                        "codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source.fixAll"]}}
                    },
                }
            },
            "initializationOptions": options,
        },
    )
    client.notify("initialized", {})
    return result


def _open(client: LspClient, path: Path, text: str) -> str:
    uri = path.as_uri()
    client.notify(
        "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}
    )
    return uri


def _actions(client: LspClient, uri: str, diagnostic: Dict[str, Any], only: Any = None) -> List[Dict[str, Any]]:
    context: Dict[str, Any] = {"diagnostics": [diagnostic]}
    if only is not None:
        context["only"] = only
    return client.request(
        "textDocument/codeAction", {"textDocument": {"uri": uri}, "range": diagnostic["range"], "context": context}
    )


def test_diagnostics_quick_fix_and_noqa(session: LspClient, tmp_path: Path) -> None:
    capabilities = _initialize(session, tmp_path, {})["capabilities"]
    assert capabilities["codeActionProvider"]
    path = tmp_path / "train.py"
    path.write_text(BUGGY, encoding="utf-8")
    uri = _open(session, path, BUGGY)

    diagnostics = session.diagnostics(uri, version=1)
    assert [d["code"] for d in diagnostics] == ["NN201"]
    diagnostic = diagnostics[0]
    assert diagnostic["source"] == "nnlint"
    assert diagnostic["severity"] == 2  # warning
    # `criterion(model(x), y)` on line 9 (0-based 8), columns 11..33
    assert diagnostic["range"] == {"start": {"line": 8, "character": 11}, "end": {"line": 8, "character": 33}}

    actions = _actions(session, uri, diagnostic)
    titles = [a["title"] for a in actions]
    assert any(t.startswith("NN201:") for t in titles), titles
    assert "Disable NN201 for this line" in titles
    fix = next(a for a in actions if a["title"].startswith("NN201:"))
    assert fix["kind"] == "quickfix" and fix["isPreferred"] is True
    fixed = _apply(BUGGY, fix["edit"]["changes"][uri])
    assert "nn.Sequential(nn.Linear(20, 10))" in fixed

    # the editor applies the fix: the server re-lints the new text and the finding is gone
    session.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]},
    )
    assert session.diagnostics(uri, version=2) == []

    # back to the buggy text, then silence it for the line instead
    session.notify(
        "textDocument/didChange", {"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": BUGGY}]}
    )
    diagnostic = session.diagnostics(uri, version=3)[0]
    noqa = next(a for a in _actions(session, uri, diagnostic) if a["title"] == "Disable NN201 for this line")
    silenced = _apply(BUGGY, noqa["edit"]["changes"][uri])
    assert "loss = criterion(model(x), y)  # é  # noqa: NN201\n" in silenced
    session.notify(
        "textDocument/didChange", {"textDocument": {"uri": uri, "version": 4}, "contentChanges": [{"text": silenced}]}
    )
    assert session.diagnostics(uri, version=4) == []

    session.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert session.diagnostics(uri) == []


def test_fix_all_source_action(session: LspClient, tmp_path: Path) -> None:
    _initialize(session, tmp_path, {})
    path = tmp_path / "train.py"
    uri = _open(session, path, BUGGY)
    diagnostic = session.diagnostics(uri)[0]
    actions = _actions(session, uri, diagnostic, only=["source.fixAll"])
    assert [a["kind"] for a in actions] == ["source.fixAll.nnlint"]
    fixed = _apply(BUGGY, actions[0]["edit"]["changes"][uri])
    assert "nn.Softmax" not in fixed and fixed.count("\n") == BUGGY.count("\n")


def test_settings_from_the_client(session: LspClient, tmp_path: Path) -> None:
    _initialize(session, tmp_path, {"ignore": ["NN201"]})
    uri = _open(session, tmp_path / "train.py", BUGGY)
    assert session.diagnostics(uri) == []
    session.notify("workspace/didChangeConfiguration", {"settings": {"nnlint": {"select": ["NN2"], "ignore": []}}})
    assert [d["code"] for d in session.diagnostics(uri)] == ["NN201"]
    session.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    assert [d["code"] for d in session.diagnostics(uri)] == ["NN201"]  # re-published on save


def test_syntax_error_is_a_diagnostic_not_a_crash(session: LspClient, tmp_path: Path) -> None:
    _initialize(session, tmp_path, {})
    uri = _open(session, tmp_path / "broken.py", "import torch\ndef f(:\n")
    diagnostics = session.diagnostics(uri)
    assert [d["code"] for d in diagnostics] == ["NN000"]
    assert diagnostics[0]["severity"] == 1 and diagnostics[0]["range"]["start"]["line"] == 1


def test_positions_are_utf16_code_units(session: LspClient, tmp_path: Path) -> None:
    """LSP counts UTF-16 code units: an emoji before the finding shifts it by two, not one."""
    _initialize(session, tmp_path, {})
    text = BUGGY.replace("    loss = criterion(model(x), y)  # é\n", '    tag = "😀"; loss = criterion(model(x), y)\n')
    assert text != BUGGY
    uri = _open(session, tmp_path / "train.py", text)
    diagnostic = session.diagnostics(uri)[0]
    start = len('    tag = "😀"; loss = ') + 1  # +1: the emoji is two UTF-16 units
    assert diagnostic["range"]["start"] == {"line": 8, "character": start}
    assert diagnostic["range"]["end"] == {"line": 8, "character": start + len("criterion(model(x), y)")}


def test_unsaved_buffers_are_linted_and_excluded_files_are_not(session: LspClient, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.nnlint]\nexclude = ["legacy/*"]\n')
    (tmp_path / "legacy").mkdir()
    _initialize(session, tmp_path, {})
    untitled = "untitled:Untitled-1"
    session.notify(
        "textDocument/didOpen", {"textDocument": {"uri": untitled, "languageId": "python", "version": 1, "text": BUGGY}}
    )
    assert [d["code"] for d in session.diagnostics(untitled)] == ["NN201"]
    legacy = _open(session, tmp_path / "legacy" / "old_train.py", BUGGY)
    assert session.diagnostics(legacy) == []
