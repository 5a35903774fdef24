"""A wrong rule option in the editor: the language server shows the configuration error as a message
(and lints with the defaults) instead of letting the rule crash on every file."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

pytest.importorskip("pygls")

from tests.integration.lsp_client import LspClient  # noqa: E402
from tests.integration.test_lsp import BUGGY, _initialize, _open  # noqa: E402


@pytest.fixture
def session(tmp_path: Path) -> Iterator[LspClient]:
    client = LspClient.start(str(tmp_path))
    try:
        yield client
    finally:
        client.shutdown()


def test_a_wrong_option_is_shown_in_the_editor(session: LspClient, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.nnlint]\n[tool.nnlint.options.NN406]\nmax_lr = 5\n")
    _initialize(session, tmp_path, {})
    uri = _open(session, tmp_path / "train.py", BUGGY)
    message = session.wait_for(lambda m: m.get("method") == "window/showMessage")
    assert "tool.nnlint.options.NN406.max_lr must be a table of numbers, not 5" in message["params"]["message"]
    codes = [d["code"] for d in session.diagnostics(uri)]
    assert codes == ["NN201"]  # linted with the defaults: no NN002 from a crashing NN406
