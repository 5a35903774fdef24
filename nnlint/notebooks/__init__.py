"""Jupyter notebooks as training code: reading ``.ipynb`` files, masking IPython syntax, mapping positions.

``reader`` parses the JSON (positions of every cell source kept), ``magics`` masks IPython lines without
moving any, ``program`` lays the code cells out as one Python module and maps positions between it and
the cells, ``writer`` puts fixed cell sources back into the file byte for byte.
"""

from nnlint.notebooks.program import CellLine, NotebookProgram
from nnlint.notebooks.reader import (
    Notebook,
    NotebookCell,
    NotebookError,
    is_notebook_path,
    parse_notebook,
    read_notebook,
)

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
