"""``nnlint lsp``: a language server (pygls) that publishes nnlint's findings and offers its fixes.

Diagnostics are published on open and save, and after a pause in typing on change, for the latest
version only (and cleared on close); edits the server cannot apply are answered with an error
(``nnlint.lsp_sync``). Code actions: each fix a
rule attaches, "disable CODE for this line" (adds or extends a ``# noqa: CODE`` comment) and
"fix all" (``source.fixAll.nnlint``). Notebook documents (``notebookDocument/*``) are linted as one program
and published cell by cell (``nnlint.lsp_notebook``). Settings come from the client, as ``initializationOptions`` or
through ``workspace/didChangeConfiguration`` (``{"nnlint": {...}}``): ``select``, ``ignore``,
``extendSelect`` (lists of codes or prefixes), on top of the project's pyproject.toml; an unknown key,
a value of the wrong type or an unknown code is a visible warning (``window/showMessage``). A quick fix
is found for a diagnostic the client sends back by its code and exact range, or by its code and line
where the client re-encoded the range.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Set

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument
from pygls.workspace.position_codec import ServerTextPosition, ServerTextRange

from nnlint import __version__
from nnlint.autofix import fix_source
from nnlint.config import Config, ConfigError, find_pyproject, load_config
from nnlint.engine import Linter
from nnlint.finding import Edit, Finding, Severity
from nnlint.lsp_edits import document_path, noqa_edit, on_json_lines, whole_edit
from nnlint.lsp_notebook import SYNC_OPTIONS, NotebookView, notebook_of_cell, notebook_view
from nnlint.lsp_sync import Debouncer, EditRejected, NnlintProtocol
from nnlint.notebooks import is_notebook_path
from nnlint.notebooks.magics import mask_cell
from nnlint.options_schema import config_option_errors
from nnlint.registry import load_registry

SOURCE = "nnlint"
FIX_ALL_KIND = "source.fixAll.nnlint"
_SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


@dataclass
class Settings:
    select: List[str] = field(default_factory=list)
    ignore: List[str] = field(default_factory=list)
    extend_select: List[str] = field(default_factory=list)

    def update(self, raw: Any, ours: bool = True) -> List[str]:
        """Take the client's settings; returns a warning for each key, value or code nnlint does not
        know (the known keys still apply), for the server to show. ``ours=False``: a settings object
        that may be another tool's (workspace/didChangeConfiguration) is taken only with an ``nnlint``
        section or one of nnlint's keys."""
        if raw is None:
            return []
        if not isinstance(raw, dict):
            return [f"nnlint: settings must be an object, not {type(raw).__name__}; ignored"] if ours else []
        if isinstance(raw.get("nnlint"), dict):
            raw = raw["nnlint"]
        elif not ours and not any(key in raw for key in _SETTING_KEYS):
            return []
        warnings = [
            f"nnlint: unknown setting {key!r} (known: {', '.join(_SETTING_KEYS)}); ignored"
            for key in raw
            if key not in _SETTING_KEYS
        ]
        for key, attr in _SETTING_KEYS.items():
            value = raw.get(key)
            if isinstance(value, str):
                value = [value]
            if value is None:
                continue
            if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
                warnings.append(f"nnlint: setting {key!r} must be a list of codes, not {value!r}; ignored")
                continue
            codes = [code.strip() for code in value if code.strip()]
            unknown = [code for code in codes if not _known_code(code)]
            if unknown:
                warnings.append(
                    f"nnlint: setting {key!r}: unknown rule code or prefix {', '.join(map(repr, unknown))} (see "
                    "`nnlint rules`)"
                )
            setattr(self, attr, codes)
        return warnings


_SETTING_KEYS = {
    "select": "select",
    "ignore": "ignore",
    "extendSelect": "extend_select",
    "extend-select": "extend_select",
}


def _known_code(code: str) -> bool:
    from nnlint.diagnostics import DIAGNOSTICS
    from nnlint.registry import load_registry

    return code == "ALL" or any(known.startswith(code) for known in [*load_registry().all_codes(), *DIAGNOSTICS])


class NnlintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("nnlint", __version__, notebook_document_sync=SYNC_OPTIONS, protocol_cls=NnlintProtocol)
        self.settings = Settings()
        self.findings: Dict[str, List[Finding]] = {}  # by document uri (a notebook's: by cell uri), as last published
        self.notebook_cells: Dict[str, List[str]] = {}  # notebook uri -> the cell uris last published
        self.linted_versions: Dict[str, Optional[int]] = {}  # by document uri: the version findings are of
        self.out_of_sync: Set[str] = set()  # documents whose last edit could not be applied (nnlint.lsp_sync)
        self.later = Debouncer(self.publish)
        self.later_notebooks = Debouncer(self.publish_notebook)  # by notebook uri

    def report_server_error(self, error: Exception, source: Any) -> None:
        if isinstance(error, EditRejected):
            self.reject(error.uri, str(error))
            return
        super().report_server_error(error, source)

    def warn(self, messages: Sequence[str]) -> None:
        """Each message as a visible warning (window/showMessage)."""
        for message in messages:
            self.window_show_message(types.ShowMessageParams(types.MessageType.Warning, message))

    def reject(self, uri: str, message: str) -> None:
        """An edit was not applied: say so, and withdraw the document's diagnostics (now misplaced)."""
        self.window_show_message(types.ShowMessageParams(types.MessageType.Error, message))
        if uri:
            self.out_of_sync.add(uri)
            self.later.cancel(uri)
            self.findings.pop(uri, None)
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    # ----------------------------------------------------------------------------- linting
    def config_for(self, path: Optional[str]) -> Config:
        start = Path(path).parent if path else Path.cwd()
        try:
            config = load_config(find_pyproject(start if start.exists() else Path.cwd()))
            option_problems = config_option_errors(config, load_registry())  # shown as any bad configuration is
            if option_problems:
                raise ConfigError("; ".join(option_problems))
        except ConfigError as error:
            self.window_show_message(types.ShowMessageParams(types.MessageType.Warning, f"nnlint: {error}"))
            config = Config()
        if self.settings.select:
            config.select = list(self.settings.select)
        config.ignore.extend(self.settings.ignore)
        config.extend_select.extend(self.settings.extend_select)
        return config

    def linter_for(self, document: TextDocument) -> Linter:
        return self.linter_at(document_path(document))

    def linter_at(self, path: str) -> Linter:
        # a fresh linter per run: the project index must see the other files as they are now
        return Linter(self.config_for(None if path.startswith("<") else path))

    def lint(self, document: TextDocument) -> List[Finding]:
        path = document_path(document)
        linter = self.linter_for(document)
        excluded = not path.startswith("<") and linter.config.is_excluded(path)  # as the command line skips it
        findings = [] if excluded else linter.lint_source(document.source, path)
        if is_notebook_path(path):
            findings = on_json_lines(findings, path, document.source)
        self.findings[document.uri] = findings
        self.linted_versions[document.uri] = document.version
        return findings

    def publish(self, uri: str) -> None:
        """Lint the document as it is now and publish; nothing while its copy is out of sync."""
        self.later.cancel(uri)
        if uri in self.out_of_sync:
            return
        view = notebook_of_cell(self.workspace, uri)
        if view is not None:
            self.publish_notebook(view.uri)
            return
        document = self.workspace.get_text_document(uri)
        diagnostics = [self.diagnostic(document, f) for f in self.lint(document)]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=document.version)
        )

    # ----------------------------------------------------------------------------- notebooks
    def lint_notebook(self, view: NotebookView) -> List[Finding]:
        linter = self.linter_at(view.path)
        excluded = not view.path.startswith("<") and linter.config.is_excluded(view.path)
        findings = [] if excluded else linter.lint_notebook(view.notebook, view.path)
        for uri, in_cell in view.by_cell(findings).items():
            self.findings[uri] = in_cell
        return findings

    def publish_notebook(self, notebook_uri: str) -> None:
        """Lint the notebook as one program; publish each cell's findings on the cell (and clear removed cells)."""
        self.later_notebooks.cancel(notebook_uri)
        view = notebook_view(self.workspace, notebook_uri)
        if view is None:
            return
        self.lint_notebook(view)
        for stale in set(self.notebook_cells.get(notebook_uri, [])) - set(view.cell_uris):
            self.findings.pop(stale, None)
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=stale, diagnostics=[]))
        self.notebook_cells[notebook_uri] = list(view.cell_uris)
        for uri, document in zip(view.cell_uris, view.documents):
            diagnostics = [self.diagnostic(document, f) for f in self.findings.get(uri, [])]
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=document.version)
            )

    def close_notebook(self, notebook_uri: str) -> None:
        self.later_notebooks.cancel(notebook_uri)
        for uri in self.notebook_cells.pop(notebook_uri, []):
            self.findings.pop(uri, None)
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    # ------------------------------------------------------------------------- conversions
    @staticmethod
    def finding_range(document: TextDocument, finding: Finding) -> types.Range:
        end_line = finding.end_line if finding.end_line is not None else finding.line
        end_column = finding.end_column if finding.end_column is not None else finding.column
        if (end_line, end_column) <= (finding.line, finding.column):  # a point: underline the rest of the line
            text = document.lines[finding.line - 1] if 0 < finding.line <= len(document.lines) else ""
            end_line, end_column = finding.line, len(text.rstrip("\r\n")) + 1
        server_range = ServerTextRange(
            ServerTextPosition(finding.line - 1, max(finding.column - 1, 0)),
            ServerTextPosition(end_line - 1, max(end_column - 1, 0)),
        )
        return document.range_to_client_units(server_range)

    @staticmethod
    def edit_range(document: TextDocument, edit: Edit) -> types.Range:
        server_range = ServerTextRange(
            ServerTextPosition(edit.line - 1, edit.column), ServerTextPosition(edit.end_line - 1, edit.end_column)
        )
        return document.range_to_client_units(server_range)

    def diagnostic(self, document: TextDocument, finding: Finding) -> types.Diagnostic:
        return types.Diagnostic(
            range=self.finding_range(document, finding),
            message=finding.message,
            severity=_SEVERITIES.get(finding.severity, types.DiagnosticSeverity.Warning),
            code=finding.code,
            source=SOURCE,
            data={"name": finding.name, "fixable": finding.fix is not None and bool(finding.fix.edits)},
        )

    # ------------------------------------------------------------------------ code actions
    def finding_for(self, document: TextDocument, diagnostic: types.Diagnostic) -> Optional[Finding]:
        """The finding a diagnostic the client sent back stands for: the one with its code and exact
        range, else (a client that re-encoded the range: other position units, a trimmed end) the one
        with its code on its start line, the nearest start column first."""
        same_code = [f for f in self.findings.get(document.uri, []) if f.code == diagnostic.code]
        ranges = [(f, self.finding_range(document, f)) for f in same_code]
        for finding, found in ranges:
            if found == diagnostic.range:
                return finding
        on_line = [
            (abs(found.start.character - diagnostic.range.start.character), index, finding)
            for index, (finding, found) in enumerate(ranges)
            if found.start.line == diagnostic.range.start.line
        ]
        return min(on_line, key=lambda item: item[:2])[2] if on_line else None

    def code_actions(self, params: types.CodeActionParams) -> List[types.CodeAction]:
        document = self.workspace.get_text_document(params.text_document.uri)
        if document.uri in self.out_of_sync:
            return []
        view = notebook_of_cell(self.workspace, document.uri)
        if view is not None:
            if document.uri not in self.findings or self.later_notebooks.is_pending(view.uri):
                self.publish_notebook(view.uri)  # a lint was still waiting for a pause in typing: do it now
        elif document.uri not in self.findings or self.linted_versions.get(document.uri) != document.version:
            self.publish(document.uri)
        only = params.context.only
        wants = lambda kind: not only or any(kind == k or kind.startswith(k + ".") for k in only)  # noqa: E731
        actions: List[types.CodeAction] = []
        for diagnostic in params.context.diagnostics:
            if diagnostic.source != SOURCE:
                continue
            finding = self.finding_for(document, diagnostic)
            if finding is None:
                continue
            if finding.fix is not None and finding.fix.edits and wants(types.CodeActionKind.QuickFix):
                changes = self.fix_changes(document, view, finding.fix.edits)
                if changes is not None:
                    actions.append(
                        self._action(
                            f"{finding.code}: {finding.fix.description}",
                            types.CodeActionKind.QuickFix,
                            changes,
                            diagnostic,
                            preferred=True,
                        )
                    )
            python = mask_cell(document.source).text if view is not None else None  # a cell's magics do not tokenize
            noqa = noqa_edit(document, finding, python)
            if noqa is not None and wants(types.CodeActionKind.QuickFix):
                actions.append(
                    self._action(
                        f"Disable {finding.code} for this line",
                        types.CodeActionKind.QuickFix,
                        {document.uri: [noqa]},
                        diagnostic,
                    )
                )
        if wants(FIX_ALL_KIND) and any(f.fix is not None and f.fix.edits for f in self.findings.get(document.uri, [])):
            fix_all = self.fix_all_changes(document, view)
            if fix_all:
                actions.append(self._action("Fix all nnlint auto-fixable problems", FIX_ALL_KIND, fix_all, None))
        return actions

    def fix_changes(
        self, document: TextDocument, view: Optional[NotebookView], edits: Sequence[Edit]
    ) -> Optional[Dict[str, List[types.TextEdit]]]:
        """A fix's edits by document uri: a notebook fix may edit another cell (the model's) than the finding's."""
        changes: Dict[str, List[types.TextEdit]] = {}
        for edit in edits:
            target = document if view is None or edit.cell is None else view.document_of(edit.cell)
            if target is None:
                return None
            changes.setdefault(target.uri, []).append(types.TextEdit(self.edit_range(target, edit), edit.replacement))
        return changes

    def fix_all_changes(self, document: TextDocument, view: Optional[NotebookView]) -> Dict[str, List[types.TextEdit]]:
        if view is None:
            outcome = fix_source(self.linter_for(document), document.source, document_path(document))
            return {document.uri: [whole_edit(document, outcome.fixed)]} if outcome.changed else {}
        from nnlint.notebooks.fixing import fix_notebook

        _, changed = fix_notebook(self.linter_at(view.path), view.notebook, view.path)
        return {view.cell_uris[index]: [whole_edit(view.documents[index], source)] for index, source in changed.items()}

    @staticmethod
    def _action(
        title: str,
        kind: str,
        changes: Dict[str, List[types.TextEdit]],
        diagnostic: Optional[types.Diagnostic],
        preferred: bool = False,
    ) -> types.CodeAction:
        return types.CodeAction(
            title=title,
            kind=kind,
            diagnostics=[diagnostic] if diagnostic is not None else None,
            edit=types.WorkspaceEdit(changes=changes),
            is_preferred=preferred or None,
        )


def create_server() -> NnlintServer:
    server = NnlintServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: NnlintServer, params: types.InitializeParams) -> None:
        from nnlint.registry import load_registry

        ls.warn([f"nnlint: {error}" for error in load_registry().errors])  # a plugin that failed to load
        ls.warn(ls.settings.update(params.initialization_options))

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(ls: NnlintServer, params: types.DidChangeConfigurationParams) -> None:
        ls.warn(ls.settings.update(params.settings, ours=False))
        cells = {uri for uris in ls.notebook_cells.values() for uri in uris}
        for notebook_uri in list(ls.notebook_cells):
            ls.publish_notebook(notebook_uri)
        for uri in [uri for uri in ls.findings if uri not in cells]:
            ls.publish(uri)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: NnlintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.out_of_sync.discard(params.text_document.uri)  # the whole text again
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: NnlintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.later.request(params.text_document.uri)  # after a pause in typing: one lint of the latest version

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: NnlintServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    def notebook_did_open(ls: NnlintServer, params: types.DidOpenNotebookDocumentParams) -> None:
        ls.publish_notebook(params.notebook_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def notebook_did_change(ls: NnlintServer, params: types.DidChangeNotebookDocumentParams) -> None:
        ls.later_notebooks.request(params.notebook_document.uri)  # after a pause in typing, as for files

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
    def notebook_did_save(ls: NnlintServer, params: types.DidSaveNotebookDocumentParams) -> None:
        ls.publish_notebook(params.notebook_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def notebook_did_close(ls: NnlintServer, params: types.DidCloseNotebookDocumentParams) -> None:
        ls.close_notebook(params.notebook_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: NnlintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.later.cancel(params.text_document.uri)
        ls.out_of_sync.discard(params.text_document.uri)
        ls.findings.pop(params.text_document.uri, None)
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
        )

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND], resolve_provider=False
        ),
    )
    def code_action(ls: NnlintServer, params: types.CodeActionParams) -> List[types.CodeAction]:
        return ls.code_actions(params)

    return server


def serve() -> None:
    create_server().start_io()
