"""`nnlint lsp` with notebook documents (LSP 3.17 notebookDocument/* sync), end to end over stdio:
per-cell diagnostics of a program spread over cells, fixes that edit another cell, cell edits and removals."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

pytest.importorskip("pygls")

from tests.integration.lsp_client import LspClient  # noqa: E402
from tests.integration.test_lsp import _apply  # noqa: E402

IMPORTS = "%matplotlib inline\nimport torch\nimport torch.nn as nn\n"
MODEL = (
    "model = nn.Sequential(nn.Linear(20, 10), nn.Softmax(dim=1))\ncriterion = nn.CrossEntropyLoss()\n"
    "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
)
LOOP = (
    "!nvidia-smi\nfor x, y in loader:\n    optimizer.zero_grad()\n    loss = criterion(model(x), y)\n"
    "    loss.backward()\n    optimizer.step()\n"
)
MARKDOWN = "# Training\nfor this is not code ("


@pytest.fixture
def session(tmp_path: Path) -> Iterator[LspClient]:
    client = LspClient.start(str(tmp_path))
    try:
        yield client
    finally:
        client.shutdown()


def _initialize(client: LspClient, root: Path) -> Dict[str, Any]:
    """As VS Code does: the client announces notebook synchronisation (the server offers it only then)."""
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
                },
                "notebookDocument": {
                    "synchronization": {"dynamicRegistration": False, "executionSummarySupport": True}
                },
            },
        },
    )
    client.notify("initialized", {})
    return result


def _cell_uri(path: Path, index: int) -> str:
    return f"vscode-notebook-cell:{path.as_posix()}#W{index}sZmlsZQ%3D%3D"


def _open_notebook(client: LspClient, path: Path, cells: List[Dict[str, Any]]) -> List[str]:
    uris = [_cell_uri(path, index) for index in range(len(cells))]
    client.notify(
        "notebookDocument/didOpen",
        {
            "notebookDocument": {
                "uri": path.as_uri(),
                "notebookType": "jupyter-notebook",
                "version": 1,
                "cells": [{"kind": cell["kind"], "document": uri} for cell, uri in zip(cells, uris)],
            },
            "cellTextDocuments": [
                {"uri": uri, "languageId": cell["language"], "version": 1, "text": cell["text"]}
                for cell, uri in zip(cells, uris)
            ],
        },
    )
    return uris


def _cells() -> List[Dict[str, Any]]:
    return [
        {"kind": 1, "language": "markdown", "text": MARKDOWN},
        {"kind": 2, "language": "python", "text": IMPORTS},
        {"kind": 2, "language": "python", "text": MODEL},
        {"kind": 2, "language": "python", "text": LOOP},
    ]


def _actions(client: LspClient, uri: str, diagnostic: Dict[str, Any], only: Any = None) -> List[Dict[str, Any]]:
    context: Dict[str, Any] = {"diagnostics": [diagnostic]}
    if only is not None:
        context["only"] = only
    return client.request(
        "textDocument/codeAction", {"textDocument": {"uri": uri}, "range": diagnostic["range"], "context": context}
    )


def test_notebook_sync_diagnostics_and_fixes_across_cells(session: LspClient, tmp_path: Path) -> None:
    capabilities = _initialize(session, tmp_path)["capabilities"]
    assert capabilities["notebookDocumentSync"]["notebookSelector"] == [{"cells": [{"language": "python"}]}]
    path = tmp_path / "train.ipynb"
    markdown, imports, model, loop = _open_notebook(session, path, _cells())

    assert (
        session.diagnostics(markdown) == [] and session.diagnostics(imports) == [] and session.diagnostics(model) == []
    )
    [diagnostic] = session.diagnostics(loop, version=1)
    assert diagnostic["code"] == "NN201"
    # `criterion(model(x), y)` on the loop cell's line 4 (0-based 3), columns 11..33; the magic above did not move it
    assert diagnostic["range"] == {"start": {"line": 3, "character": 11}, "end": {"line": 3, "character": 33}}

    actions = _actions(session, loop, diagnostic)
    fix = next(a for a in actions if a["title"].startswith("NN201:"))
    assert list(fix["edit"]["changes"]) == [model]  # the fix is in the model's cell
    fixed_model = _apply(MODEL, fix["edit"]["changes"][model])
    assert fixed_model.startswith("model = nn.Sequential(nn.Linear(20, 10))\n")
    noqa = next(a for a in actions if a["title"] == "Disable NN201 for this line")
    assert "    loss = criterion(model(x), y)  # noqa: NN201\n" in _apply(LOOP, noqa["edit"]["changes"][loop])
    [fix_all] = _actions(session, loop, diagnostic, only=["source.fixAll"])
    assert _apply(MODEL, fix_all["edit"]["changes"][model]) == fixed_model

    # the editor applies the fix to the model cell: the loop cell's diagnostic goes away
    session.notify(
        "notebookDocument/didChange",
        {
            "notebookDocument": {"uri": path.as_uri(), "version": 2},
            "change": {
                "cells": {
                    "textContent": [{"document": {"uri": model, "version": 2}, "changes": [{"text": fixed_model}]}]
                }
            },
        },
    )
    assert session.diagnostics(loop, version=1) == []


def test_removed_cells_and_closed_notebooks_are_cleared(session: LspClient, tmp_path: Path) -> None:
    _initialize(session, tmp_path)
    path = tmp_path / "train.ipynb"
    _, imports, model, loop = _open_notebook(session, path, _cells())
    assert [d["code"] for d in session.diagnostics(loop)] == ["NN201"]
    # the loop cell is deleted
    session.notify(
        "notebookDocument/didChange",
        {
            "notebookDocument": {"uri": path.as_uri(), "version": 2},
            "change": {"cells": {"structure": {"array": {"start": 3, "deleteCount": 1}, "didClose": [{"uri": loop}]}}},
        },
    )
    assert session.diagnostics(loop) == []
    # it comes back at the end, then the notebook is closed: every cell is cleared
    session.notify(
        "notebookDocument/didChange",
        {
            "notebookDocument": {"uri": path.as_uri(), "version": 3},
            "change": {
                "cells": {
                    "structure": {
                        "array": {"start": 3, "deleteCount": 0, "cells": [{"kind": 2, "document": loop}]},
                        "didOpen": [{"uri": loop, "languageId": "python", "version": 1, "text": LOOP}],
                    }
                }
            },
        },
    )
    assert [d["code"] for d in session.diagnostics(loop)] == ["NN201"]
    session.notify(
        "notebookDocument/didClose",
        {"notebookDocument": {"uri": path.as_uri()}, "cellTextDocuments": [{"uri": u} for u in (imports, model, loop)]},
    )
    assert session.diagnostics(loop) == [] and session.diagnostics(model) == []


def test_a_notebook_opened_as_json_text_gets_diagnostics_on_its_lines(session: LspClient, tmp_path: Path) -> None:
    from tests.notebooks.helpers import SOFTMAX_NOTEBOOK, notebook_text

    _initialize(session, tmp_path)
    text = notebook_text(SOFTMAX_NOTEBOOK)
    uri = (tmp_path / "train.ipynb").as_uri()
    session.notify(
        "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "json", "version": 1, "text": text}}
    )
    [diagnostic] = session.diagnostics(uri)
    line = next(i for i, raw in enumerate(text.splitlines()) if '"    loss = criterion(model(x), y)' in raw)
    column = text.splitlines()[line].index("criterion(")
    assert diagnostic["range"]["start"] == {"line": line, "character": column}
    assert diagnostic["message"].startswith("cell 5, line 3: CrossEntropyLoss")


def test_a_burst_of_cell_edits_is_linted_once_after_the_pause(session: LspClient, tmp_path: Path) -> None:
    from tests.integration.test_lsp_sync import _publishes

    _initialize(session, tmp_path)
    path = tmp_path / "train.ipynb"
    _, _, model, loop = _open_notebook(session, path, _cells())
    assert [d["code"] for d in session.diagnostics(loop, version=1)] == ["NN201"]
    fixed = MODEL.replace(", nn.Softmax(dim=1)", "")
    for version in range(2, 102):  # typing a comment into the model cell, then the fix
        text = fixed if version == 101 else MODEL.replace("\n", "  # " + "x" * version + "\n", 1)
        session.notify(
            "notebookDocument/didChange",
            {
                "notebookDocument": {"uri": path.as_uri(), "version": version},
                "change": {
                    "cells": {
                        "textContent": [{"document": {"uri": model, "version": version}, "changes": [{"text": text}]}]
                    }
                },
            },
        )
    assert session.diagnostics(model, version=101) == []
    loop_publishes = _publishes(session, loop, 1.0)
    assert (
        loop_publishes and loop_publishes[-1]["params"]["diagnostics"] == []
    )  # the fix in the latest version was linted
    earlier = [m["params"]["version"] for m in _publishes(session, model, 0.0)]
    assert len(earlier) <= 3 and all(version < 101 for version in earlier), earlier  # not one lint per keystroke
