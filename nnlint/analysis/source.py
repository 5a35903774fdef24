"""Reading and parsing one file, with every way it can fail turned into a SourceError."""
from __future__ import annotations

import io
import tokenize
import warnings
from pathlib import Path
from typing import Optional

import libcst as cst


class SourceError(Exception):
    """A file that cannot be read or parsed; ``line``/``column`` locate the problem (1-based)."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def decode_source(data: bytes) -> str:
    """Decode Python source bytes honouring a BOM and a PEP 263 coding declaration."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        raise SourceError(f"cannot decode source: {error}") from None
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        raise SourceError(f"cannot decode source as {encoding}: {error}") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def read_source(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SourceError(f"cannot read file: {error.strerror or error}") from None
    return decode_source(data)


def parse_source(text: str) -> cst.Module:
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise SourceError("source contains a null byte", line, 1)
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        raise python_syntax_error(text) or SourceError(
            f"cannot parse: {str(error).strip().splitlines()[0] if str(error).strip() else 'invalid syntax'}",
            error.raw_line or 1,
            (error.raw_column or 0) + 1,
        ) from None
    except (RecursionError, MemoryError) as error:
        raise SourceError(f"source too deeply nested to parse ({type(error).__name__})") from None
    except Exception as error:  # libcst's native parser can raise other errors on odd input
        raise python_syntax_error(text) or SourceError(f"cannot parse: {error}") from None


def python_syntax_error(text: str) -> Optional[SourceError]:
    """Python's own message and position for a syntax error (better than the parser's), if it sees one."""
    try:
        with warnings.catch_warnings():  # invalid escape sequences etc. are the user's business, not ours to print
            warnings.simplefilter("ignore")
            compile(text, "<nnlint>", "exec", dont_inherit=True, flags=0x400)  # ast.PyCF_ONLY_AST
    except SyntaxError as error:
        return SourceError(f"SyntaxError: {error.msg}", error.lineno or 1, error.offset or 1)
    except (ValueError, RecursionError, MemoryError) as error:
        return SourceError(f"cannot parse: {error}")
    return None
