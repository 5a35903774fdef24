"""Notebook documents in the language server (LSP 3.17 ``notebookDocument/*`` synchronisation).

The client sends a notebook as a list of cells, each cell a text document of its own (VS Code's
Jupyter support, JupyterLab's LSP). The server lints the notebook's code cells as one program, as
``nnlint NOTEBOOK.ipynb`` does, and publishes each cell's findings on that cell's URI; fixes and
"disable for this line" edit the cells they are in, and "fix all" rewrites every cell it changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from lsprotocol import types
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument, Workspace

from nnlint.finding import Finding
from nnlint.notebooks import Notebook

# every notebook with Python cells (VS Code's "jupyter-notebook", JupyterLab's, ...)
SYNC_OPTIONS = types.NotebookDocumentSyncOptions(
    notebook_selector=[types.NotebookDocumentFilterWithCells(cells=[types.NotebookCellLanguage(language="python")])],
    save=True,
)


@dataclass
class NotebookView:
    """A synchronised notebook as nnlint reads it: its cells' documents, and the notebook built from them."""

    uri: str
    path: str
    cell_uris: List[str]  # by cell position (cell number - 1)
    documents: List[TextDocument]
    notebook: Notebook

    def uri_of(self, cell: Optional[int]) -> Optional[str]:
        return self.cell_uris[cell - 1] if cell is not None and 0 < cell <= len(self.cell_uris) else None

    def document_of(self, cell: Optional[int]) -> Optional[TextDocument]:
        return self.documents[cell - 1] if cell is not None and 0 < cell <= len(self.documents) else None

    def number_of(self, cell_uri: str) -> Optional[int]:
        return self.cell_uris.index(cell_uri) + 1 if cell_uri in self.cell_uris else None

    def by_cell(self, findings: List[Finding]) -> Dict[str, List[Finding]]:
        """Findings grouped by the URI of their cell (every cell present, so stale diagnostics get cleared)."""
        grouped: Dict[str, List[Finding]] = {uri: [] for uri in self.cell_uris}
        for finding in findings:
            uri = self.uri_of(finding.cell)
            if uri is not None:
                grouped[uri].append(finding)
        return grouped


def _is_code(cell: types.NotebookCell, document: TextDocument) -> bool:
    return cell.kind == types.NotebookCellKind.Code and (document.language_id or "python").lower() == "python"


def notebook_view(workspace: Workspace, notebook_uri: str) -> Optional[NotebookView]:
    notebook = workspace.get_notebook_document(notebook_uri=notebook_uri)
    if notebook is None:
        return None
    documents = [workspace.get_text_document(cell.document) for cell in notebook.cells]
    cells: List[Tuple[str, str]] = [
        ("code" if _is_code(cell, document) else "markdown", document.source)
        for cell, document in zip(notebook.cells, documents)
    ]
    path = to_fs_path(notebook.uri) if notebook.uri.startswith("file:") else None
    return NotebookView(
        notebook.uri,
        path or "<unsaved>.ipynb",
        [cell.document for cell in notebook.cells],
        documents,
        Notebook.from_sources(cells),
    )


def notebook_of_cell(workspace: Workspace, cell_uri: str) -> Optional[NotebookView]:
    notebook = workspace.get_notebook_document(cell_uri=cell_uri)
    return notebook_view(workspace, notebook.uri) if notebook is not None else None
