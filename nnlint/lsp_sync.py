"""Keeping the language server's copy of each document honest, and its linting to the latest version.

* An edit the server cannot apply (a negative, non-integer, reversed or out-of-range position) is
  answered with one error message naming the document, version and position, instead of a decode
  failure or a silently different copy; the document is then marked out of sync (no diagnostics for
  it) until the editor sends its whole text again (didOpen, or a change without a range).
* Changes are linted after a pause (:data:`DEBOUNCE_S`): a burst of keystrokes costs one lint, of the
  latest version; a lint that would publish a version older than the document's is skipped.
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable, Dict, Generator, Optional

from lsprotocol import types
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

DEBOUNCE_S = 0.25


class EditRejected(Exception):
    """A didChange the server will not apply; the message says which document, version and position."""

    def __init__(self, message: str, uri: str) -> None:
        super().__init__(message)
        self.uri = uri


def raw_edit_problem(params: Any) -> Optional[str]:
    """What is wrong with the positions of a didChange as received (before any decoding), or None."""
    changes = params.get("contentChanges") if isinstance(params, dict) else None
    if not isinstance(changes, list):
        return None  # not ours to judge: the protocol layer reports malformed messages
    for index, change in enumerate(changes):
        span = change.get("range") if isinstance(change, dict) else None
        if span is None:
            continue
        for end in ("start", "end"):
            position = span.get(end) if isinstance(span, dict) else None
            for key in ("line", "character"):
                value = position.get(key) if isinstance(position, dict) else None
                if type(value) is not int or value < 0:
                    return f"change {index + 1}: range {end} {key} is {value!r}, not a position (0 or more)"
        if (span["start"]["line"], span["start"]["character"]) > (span["end"]["line"], span["end"]["character"]):
            return f"change {index + 1}: range ends before it starts"
    return None


def range_problem(change: Any, line_count: int) -> Optional[str]:
    """Why an incremental change lies outside a document of ``line_count`` lines, or None."""
    span = getattr(change, "range", None)
    if span is None:
        return None
    for end, position in (("start", span.start), ("end", span.end)):
        if position.line > line_count:
            return f"range {end} line {position.line} is past the end of the document ({line_count} lines)"
    return None


def rejection(params: Any, problem: str) -> str:
    document = params.get("textDocument", {}) if isinstance(params, dict) else {}
    uri = document.get("uri", "?") if isinstance(document, dict) else "?"
    version = document.get("version", "?") if isinstance(document, dict) else "?"
    return (
        f"nnlint: ignored textDocument/didChange of {uri} (version {version}): {problem}; "
        "nnlint's copy no longer matches the editor's, so it shows no diagnostics for the file until it is reopened"
    )


class NnlintProtocol(LanguageServerProtocol):
    """pygls's protocol, with didChange validated before it is decoded and before it is applied."""

    def structure_message(self, data: Dict[str, Any]) -> Any:
        if isinstance(data, dict) and data.get("method") == types.TEXT_DOCUMENT_DID_CHANGE and "jsonrpc" in data:
            problem = raw_edit_problem(data.get("params"))
            if problem is not None:
                params = data["params"]
                document = params.get("textDocument")
                uri = document.get("uri") if isinstance(document, dict) else None
                raise EditRejected(rejection(params, problem), uri if isinstance(uri, str) else "")
        return super().structure_message(data)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Generator[Any, Any, None]:
        server = self._server
        uri = params.text_document.uri
        for change in params.content_changes:
            if getattr(change, "range", None) is None:
                server.out_of_sync.discard(uri)  # type: ignore[attr-defined]  # the whole text: in sync again
            elif uri in server.out_of_sync:  # type: ignore[attr-defined]
                return
            else:
                problem = range_problem(change, len(self.workspace.get_text_document(uri).lines))
                if problem is not None:
                    message = rejection(
                        {"textDocument": {"uri": uri, "version": params.text_document.version}}, problem
                    )
                    server.reject(uri, message)  # type: ignore[attr-defined]
                    return
            self.workspace.update_text_document(params.text_document, change)
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None


class Debouncer:
    """Runs ``action(key)`` once a key has had no new request for :data:`DEBOUNCE_S` seconds."""

    def __init__(self, action: Callable[[str], None], delay: float = DEBOUNCE_S) -> None:
        self.action = action
        self.delay = delay
        self._pending: Dict[str, asyncio.TimerHandle] = {}

    def request(self, key: str) -> None:
        self.cancel(key)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a direct call, as in tests): at once
            self.action(key)
            return
        self._pending[key] = loop.call_later(self.delay, self._fire, key)

    def _fire(self, key: str) -> None:
        self._pending.pop(key, None)
        self.action(key)

    def is_pending(self, key: str) -> bool:
        return key in self._pending

    def cancel(self, key: str) -> None:
        handle = self._pending.pop(key, None)
        if handle is not None:
            handle.cancel()
