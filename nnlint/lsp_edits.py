"""Text edits the language server offers besides a rule's own fixes: ``# noqa: CODE`` comments, a
document replaced whole, and where a finding sits on a notebook opened as plain JSON text."""

from __future__ import annotations

import dataclasses
import io
import tokenize
from typing import List, Optional

from lsprotocol import types
from pygls.workspace import TextDocument
from pygls.workspace.position_codec import ServerTextPosition, ServerTextRange

from nnlint.finding import Finding
from nnlint.suppression import noqa_codes


def whole_edit(document: TextDocument, text: str) -> types.TextEdit:
    """An edit replacing a document's whole text."""
    return types.TextEdit(types.Range(types.Position(0, 0), types.Position(len(document.lines), 0)), text)


def on_json_lines(findings: List[Finding], path: str, text: str) -> List[Finding]:
    """A notebook opened as a plain text document (its JSON): findings placed on the file's lines, without fixes."""
    from nnlint.formatters import FormatOptions, cell_prefix

    options = FormatOptions(sources={path: text})
    placed = []
    for finding in findings:
        line, column, end_line, end_column = options.file_span(finding)
        message = cell_prefix(finding) + finding.message
        placed.append(
            dataclasses.replace(
                finding,
                cell=None,
                line=line,
                column=column,
                end_line=end_line,
                end_column=end_column,
                message=message,
                fix=None,
            )
        )
    return placed


def document_path(document: TextDocument) -> str:
    """The file a document is, or ``<unsaved>`` for an editor buffer that is not a file yet."""
    if document.uri.startswith("file:") and document.path:
        return document.path
    return "<unsaved>"


def noqa_edit(document: TextDocument, finding: Finding, python: Optional[str] = None) -> Optional[types.TextEdit]:
    """An edit adding ``# noqa: CODE`` to the finding's line (or extending the noqa there); None where unsafe.

    ``python``: the document as Python, where it is not (a notebook cell with its magics masked)."""
    lines = document.lines
    if not 0 < finding.line <= len(lines):
        return None
    raw = lines[finding.line - 1]
    text = raw.rstrip("\r\n")
    existing = noqa_codes(text)
    if existing is not None:
        new_text = _extend_noqa(text, finding.code)
    else:
        new_text = text.rstrip() + f"  # noqa: {finding.code}"
    if new_text is None or not _comment_lands(
        python if python is not None else document.source, finding.line, new_text
    ):
        return None
    server_range = ServerTextRange(
        ServerTextPosition(finding.line - 1, 0), ServerTextPosition(finding.line - 1, len(text))
    )
    return types.TextEdit(document.range_to_client_units(server_range), new_text)


def _extend_noqa(text: str, code: str) -> Optional[str]:
    import re

    match = re.search(r"#\s*noqa:\s*[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*", text, re.I)
    if match is None:
        return None  # a bare noqa already silences everything
    return text[: match.end()] + f", {code}" + text[match.end() :]


def _comment_lands(source: str, line: int, new_text: str) -> bool:
    """The new line's noqa is a real comment (not inside a string or after a line continuation)."""
    lines = source.splitlines(keepends=True)
    ending = lines[line - 1][len(lines[line - 1].rstrip("\r\n")) :] or "\n"
    lines[line - 1] = new_text + ending
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO("".join(lines)).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return False
    return any(t.type == tokenize.COMMENT and t.start[0] == line and noqa_codes(t.string) is not None for t in tokens)
