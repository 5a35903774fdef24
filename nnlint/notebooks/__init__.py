"""Jupyter notebooks as training code: reading ``.ipynb`` files, masking IPython syntax, mapping positions.

``reader`` parses the JSON (positions of every cell source kept), ``magics`` masks IPython lines without
moving any, ``program`` lays the code cells out as one Python module and maps positions between it and
the cells, ``writer`` puts fixed cell sources back into the file byte for byte.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nnlint.notebooks.program import CellLine, NotebookProgram
    from nnlint.notebooks.reader import (
        Notebook,
        NotebookCell,
        NotebookError,
        is_notebook_path,
        parse_notebook,
        read_notebook,
    )

# each name's module, imported at the first use of the name: a run over Python files needs only
# ``reader.is_notebook_path``, and ``program`` (with ``magics``) cost a cold run several milliseconds
_MODULES = {
    "CellLine": "program",
    "NotebookProgram": "program",
    "Notebook": "reader",
    "NotebookCell": "reader",
    "NotebookError": "reader",
    "is_notebook_path": "reader",
    "parse_notebook": "reader",
    "read_notebook": "reader",
}

__all__ = [
    "CellLine",
    "Notebook",
    "NotebookCell",
    "NotebookError",
    "NotebookProgram",
    "is_notebook_path",
    "parse_notebook",
    "read_notebook",
]


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
