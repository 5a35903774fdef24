"""Reading and parsing one file, with every way it can fail turned into a SourceError."""

from __future__ import annotations

import ast
import io
import tokenize
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Optional, cast

from nnlint.limits import DEFAULT_LIMITS, nesting_depth

if TYPE_CHECKING:
    import libcst as cst


class SourceError(Exception):
    """A file that cannot be read or parsed; ``line``/``column`` locate the problem (1-based)."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


# Codecs that rewrite Python source on import, registered by a package at start-up (``# -*- coding:
# future_fstrings -*-`` let f-strings run on Python < 3.6); their input is UTF-8 Python 3 source.
_SOURCE_TRANSFORM_CODECS = frozenset({"future_fstrings", "future_annotations"})


def decode_source(data: bytes) -> str:
    """Decode Python source bytes honouring a BOM and a PEP 263 coding declaration (a source-transforming
    codec that is not installed here, such as future-fstrings, is read as the UTF-8 it takes)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        codec = str(error).rpartition("unknown encoding: ")[2].strip().replace("-", "_")
        if codec not in _SOURCE_TRANSFORM_CODECS:
            raise SourceError(f"cannot decode source: {error}") from None
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line_start = data.rfind(b"\n", 0, error.start) + 1
        line, column = (
            data.count(b"\n", 0, error.start) + 1,
            len(data[line_start : error.start].decode(encoding, "replace")) + 1,
        )
        raise SourceError(f"cannot decode source as {encoding}: {error}", line, column) from None
    except LookupError as error:
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


class SourceSkipped(SourceError):
    """A file over a configured limit (nnlint.limits): not analysed, and said in a note, not a finding."""


def parse_source(text: str, max_depth: int = DEFAULT_LIMITS.max_depth) -> cst.Module:
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise SourceError("source contains a null byte", line, 1)
    # Python's compiler first: it rejects in milliseconds what libcst can take minutes and gigabytes over
    depth = nesting_depth(python_tree(text), max_depth)
    if max_depth and depth > max_depth:
        raise SourceSkipped(f"nested deeper than max-depth ({max_depth} levels)")
    import libcst as cst  # here, not at the top: `nnlint --version` and a warm-cache run never parse

    from nnlint.analysis.identity import install

    install()  # before any node of this tree is hashed (see nnlint.analysis.identity)

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
        python_tree(text)
    except SourceError as error:
        return error
    return None


def python_tree(text: str) -> ast.Module:
    """Python's syntax tree of ``text`` (future statements checked too); SourceError where Python refuses it."""
    try:
        with warnings.catch_warnings():  # invalid escape sequences etc. are the user's business, not ours to print
            warnings.simplefilter("ignore")
            tree = cast(ast.Module, compile(text, "<nnlint>", "exec", dont_inherit=True, flags=ast.PyCF_ONLY_AST))
            if "__future__" in text:  # misplaced or unknown future imports are caught by the compiler proper
                compile(tree, "<nnlint>", "exec", dont_inherit=True)
    except SyntaxError as error:
        raise SourceError(f"SyntaxError: {error.msg}", error.lineno or 1, error.offset or 1) from None
    except RecursionError:
        raise SourceError("Python cannot compile this file: it is nested too deeply (RecursionError)") from None
    except (ValueError, MemoryError) as error:
        raise SourceError(f"cannot parse: {error}") from None
    return tree
