"""The static pass: discover files, parse each once, build one semantic model, run every rule."""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from nnlint.analysis.hashing import content_hash
from nnlint.analysis.model import SemanticModel
from nnlint.analysis.prefilter import TrainingCodeFilter
from nnlint.analysis.project import ProjectIndex, consulted_by
from nnlint.analysis.source import SourceError, SourceSkipped, decode_source, parse_source, python_syntax_error
from nnlint.config import Config
from nnlint.context import RuleContext
from nnlint.discovery import files_to_lint, not_a_regular_file, skipped_note
from nnlint.finding import Finding, Severity
from nnlint.limits import BudgetExceeded, TimeBudget, read_at_most
from nnlint.notebooks.reader import is_notebook_path  # the rest of nnlint.notebooks: for a notebook only
from nnlint.parallel import lint_in_parallel
from nnlint.plugin_boundary import call_plugin, describe, failed, finding_problem, is_plugin_failure, print_traceback
from nnlint.registry import Registry, load_registry, plugin_label
from nnlint.rule import Rule
from nnlint.run_loop import RULE_ERROR, collections_batched, internal_error
from nnlint.suppression import apply_suppressions, skips_file
from nnlint.unused_noqa import CODE as UNUSED_NOQA
from nnlint.unused_noqa import unused_noqa
from nnlint.unused_noqa import wanted as wants_unused_noqa

SYNTAX_ERROR = ("NN000", "syntax-error")

if TYPE_CHECKING:
    from nnlint.cache import Cache
    from nnlint.notebooks import Notebook

# Models of linted files kept for other files that import them; past this the index starts afresh
# (bounded memory on large trees; a model released is rebuilt if a later file needs it).
_MAX_KEPT_MODELS = 256
COLLECT_AFTER_DROPPED_MODELS = 64
Dependencies = Dict[str, Optional[str]]


@dataclass
class Linter:
    """Lints files with a fixed configuration and rule set; one instance serves a whole run."""

    config: Config = field(default_factory=Config)
    registry: Optional[Registry] = None
    project: ProjectIndex = field(default_factory=ProjectIndex)
    cache: Optional["Cache"] = None  # per-file findings keyed by content hash (nnlint.cache)
    jobs: int = 1  # worker processes for lint_paths (nnlint.parallel)
    prefilter: TrainingCodeFilter = field(default_factory=TrainingCodeFilter)
    rules: List[Rule] = field(init=False)
    notes: List[str] = field(default_factory=list)  # files skipped over a limit, one line each

    problems: List[str] = field(default_factory=list)  # rules that could not be set up, one line each
    rule_stopped: bool = False  # a rule ran out of time on the file being linted (see _run_rule)
    _dropped_models: int = field(default=0, init=False, repr=False)  # dropped since the last gc.collect()

    def __post_init__(self) -> None:
        if self.registry is None:
            self.registry = load_registry()
        self.rules = []
        for code, cls in sorted(self.registry.rules.items()):
            if self._enabled_anywhere(code):
                rule = call_plugin(
                    lambda: cls(self.config.options_for(code, cls.name)),
                    lambda error: self._not_set_up(code, cls, error),
                )
                if rule is not None:
                    self.rules.append(rule)

    def _not_set_up(self, code: str, cls: type, error: BaseException) -> None:
        self.problems.append(
            f"{plugin_label(code, self.registry)}rule {code} ({getattr(cls, 'name', '?')}) could not be set up: "
            f"{describe(error)}; skipped"
        )

    def _enabled_anywhere(self, code: str) -> bool:
        # per-file ignores are applied per finding; here only the global selection decides
        return self.config.is_enabled(code) or any(code.startswith(p) for p in self.config.extend_select)

    # ------------------------------------------------------------------------------ entry points
    def lint_paths(
        self, paths: Sequence[str], progress: Optional[Callable[[int, int, str], None]] = None
    ) -> List[Finding]:
        """Lint every file below ``paths``; ``progress(done, total, path)`` is called after each file."""
        files = self.files(paths)
        if self.jobs > 1 and len(files) > 1:
            return lint_in_parallel(self, files, progress)
        findings: List[Finding] = []
        tree: Optional[Path] = None
        with collections_batched():
            for done, path in enumerate(files, 1):
                tree = self._enter_tree(path, tree)
                try:
                    findings.extend(self.lint_file(path))
                except Exception as error:  # never lose the whole run to one file
                    findings.append(internal_error(path, error))
                self.bound_memory()
                if progress is not None:
                    progress(done, len(files), path)
        return sorted(findings, key=Finding.sort_key)

    def files(self, paths: Sequence[str]) -> List[str]:
        """The files ``lint_paths(paths)`` lints, in its order: the configuration's excludes, ``.gitignore``
        and ``notebooks`` applied (files left out for not being regular files get a note)."""
        return files_to_lint(paths, self.config, self.notes.append)

    def _enter_tree(self, path: str, previous: Optional[Path]) -> Optional[Path]:
        """Drop the project index when the serial run moves on to another project (files come in folder order).

        The models it keeps serve files that import them, which search their own project only (see
        :func:`nnlint.analysis.project_paths.project_root`); a model still needed is rebuilt, so the findings
        cannot change, while peak memory follows the largest project instead of the whole tree. Returns the
        folder every kept model lies in: the index is kept while the roots nest (a tree without repository
        markers, whose files' roots alternate between a repository and a folder above it: dropping there
        re-parsed a tenth of the files).
        """
        try:
            tree = self.project.project_root(Path(path))
        except (OSError, ValueError, RuntimeError):  # an odd path: leave the index alone
            return previous
        if previous is not None and (tree == previous or previous in tree.parents):
            return previous  # inside the folder the kept models live in
        if previous is not None and tree in previous.parents:
            return tree  # a wider root (scripts of a tree without repository markers): the kept models may serve
        if previous is not None and len(self.project):
            self._dropped_models += len(self.project)
            self._start_index_afresh()
            if self._dropped_models >= COLLECT_AFTER_DROPPED_MODELS:
                # the released models are freed already; a full collection, for what other cycles the files
                # left, walks every live object: one per project switch cost a tree of many small projects a
                # tenth of its run
                self._dropped_models = 0
                gc.collect()
        return tree

    def bound_memory(self) -> None:
        """Drop the project index once it keeps too many models, and collect what cycles remain.

        Automatic garbage collection is off during a run (see :func:`collections_batched`): each full
        collection re-traverses every tree the index keeps, so collecting every few dozen files cost up
        to a third of a run. The index's models are released (freed by reference counting) before this
        collection, which so walks only what is still alive: 0.02 s where it was 0.4 s.
        """
        if len(self.project) > _MAX_KEPT_MODELS:
            self._start_index_afresh()
            gc.collect()

    def _start_index_afresh(self) -> None:
        """Replace the project index with an empty one, releasing the models it kept: freed by reference
        counting, they leave the next full collection only the few objects still alive to walk."""
        dropped, self.project = self.project, ProjectIndex()
        dropped.release()

    def lint_file(self, path: str) -> List[Finding]:
        """Findings of one file, from the cache when neither it nor what its analysis consulted changed."""
        limit = self.config.limits.max_file_size
        special = not_a_regular_file(path)
        if special is not None:  # a FIFO would block the read, a device never end it
            self.notes.append(skipped_note(path, special))
            return []
        try:
            with open(path, "rb") as handle:
                data = read_at_most(handle, limit)
        except OSError as error:
            message = f"cannot read file: {error.strerror or error}"
            return self._filter([_error_finding(path, SourceError(message), *SYNTAX_ERROR)], path)
        except (ValueError, MemoryError) as error:  # e.g. a path with an embedded null byte
            return self._filter([_error_finding(path, SourceError(f"cannot read file: {error}"), *SYNTAX_ERROR)], path)
        if limit and len(data) > limit:
            self.notes.append(skipped_note(path, f"larger than max-file-size ({limit} bytes)"))
            return []
        digest = content_hash(data) if self.cache is not None else ""
        if self.cache is not None:
            cached = self.cache.get(path, digest)
            if cached is not None:
                return cached
        noted = len(self.notes)
        outcome = self._within_budget(path, lambda: self._lint_data(data, path, digest))
        # a time-out may not recur, and a file skipped over a limit must say so on every run: neither is cached
        if self.cache is not None and outcome is not None and not self.rule_stopped and len(self.notes) == noted:
            self.cache.put(path, digest, outcome[1], outcome[0])
        return outcome[0] if outcome is not None else self._over_budget(path)

    def _lint_data(self, data: bytes, path: str, digest: str = "") -> Tuple[List[Finding], Dependencies]:
        if is_notebook_path(path):
            return self._lint_notebook(lambda: _read_notebook(data), path, digest)
        try:
            source = decode_source(data)
        except SourceError as error:
            return self._filter([_error_finding(path, error, *SYNTAX_ERROR)], path), {}
        return self._lint_text(source, path, data, digest)

    def lint_source(self, source: str, path: str = "<stdin>") -> List[Finding]:
        """Findings of a file's text: Python source, or a notebook's JSON when ``path`` ends in ``.ipynb``."""
        if is_notebook_path(path):
            return self._lint_checked(
                path,
                source.encode("utf-8", "surrogatepass"),
                lambda: self._lint_notebook(lambda: _parse_notebook(source), path),
            )
        return self.lint_python(source, path)

    def lint_python(self, source: str, path: str = "<stdin>") -> List[Finding]:
        """Findings of Python source (a notebook's program too: positions are the program's)."""
        data = source.encode("utf-8", "surrogatepass")
        return self._lint_checked(path, data, lambda: self._lint_text(source, path, data))

    def lint_bytes(self, data: bytes, path: str = "<stdin>") -> List[Finding]:
        """Findings of source given as bytes (stdin): decoded as a file's bytes are (PEP 263, BOM; a
        notebook's as UTF-8 JSON)."""
        if is_notebook_path(path):
            return self._lint_checked(path, data, lambda: self._lint_notebook(lambda: _read_notebook(data), path))
        try:
            source = decode_source(data)
        except SourceError as error:
            return self._filter([_error_finding(path, error, *SYNTAX_ERROR)], path)
        return self.lint_python(source, path)

    def _lint_checked(
        self, path: str, data: bytes, lint: Callable[[], Tuple[List[Finding], Dependencies]]
    ) -> List[Finding]:
        """``lint()``'s findings within the size limit and the per-file time budget."""
        limit = self.config.limits.max_file_size
        if limit and len(data) > limit:
            self.notes.append(skipped_note(path, f"larger than max-file-size ({limit} bytes)"))
            return []
        outcome = self._within_budget(path, lint)
        return outcome[0] if outcome is not None else self._over_budget(path)

    def _within_budget(
        self, path: str, lint: Callable[[], Tuple[List[Finding], Dependencies]]
    ) -> Optional[Tuple[List[Finding], Dependencies]]:
        """``lint()`` under the per-file time budget; None when the budget ran out (nothing to cache then)."""
        budget = TimeBudget(self.config.limits.file_timeout)
        self.rule_stopped = False
        try:
            with budget:
                return lint()
        except BudgetExceeded as error:
            if error.budget is not budget:
                raise
            self.rule_stopped = True
            return None
        finally:
            if self.rule_stopped:  # interrupted anywhere, a model query perhaps: start the index afresh
                self.project = ProjectIndex()

    def _over_budget(self, path: str) -> List[Finding]:
        seconds = self.config.limits.file_timeout
        message = f"analysing this file took more than {seconds:g} s and was abandoned (tool.nnlint.file-timeout)"
        return self._filter([Finding(path, 1, 1, RULE_ERROR[0], RULE_ERROR[1], message, severity=Severity.ERROR)], path)

    def lint_notebook(self, notebook: Notebook, path: str) -> List[Finding]:
        """Findings of a notebook's code cells, analysed as one program; positions name the cells."""
        return self._lint_notebook(lambda: notebook, path)[0]

    def _lint_notebook(
        self, read: Callable[[], Notebook], path: str, digest: str = ""
    ) -> Tuple[List[Finding], Dependencies]:
        from nnlint.notebooks import NotebookError, NotebookProgram

        try:
            notebook = read()
        except NotebookError as error:
            finding = Finding(path, error.line, error.column, *SYNTAX_ERROR, error.message, severity=Severity.ERROR)
            return self._filter([finding], path), {}
        if not notebook.is_python:
            return [], {}  # an R or Julia notebook: not ours to read
        program = NotebookProgram.from_notebook(notebook)
        findings, consulted = self._lint_text(program.text, path, program.text.encode("utf-8", "surrogatepass"), digest)
        return [program.to_cells(finding) for finding in findings], consulted

    def _lint_text(self, source: str, path: str, data: bytes, digest: str = "") -> Tuple[List[Finding], Dependencies]:
        """(findings, project files consulted) of one file's text; ``data`` is its bytes (for the import scan)."""
        if skips_file(source):
            return [], {}
        training, consulted = self.prefilter.may_be_training_code(data, path)
        if not training:
            return self._filter(_cheap_syntax_check(source, path), path), consulted
        self.project.start_file()
        model = self.project.already_built(Path(path), data) if not path.startswith("<") else None
        if model is None:
            try:
                module = parse_source(source, self.config.limits.max_depth)
            except SourceSkipped as skipped:
                self.notes.append(skipped_note(path, skipped.message))
                return [], consulted
            except SourceError as error:
                return self._filter([_error_finding(path, error, *SYNTAX_ERROR)], path), consulted
            name, is_package = self.project.module_name(Path(path)) if not path.startswith("<") else (None, False)
            try:
                model = SemanticModel(module, path, name, is_package, self.project)
                model.source = source
            except (RecursionError, MemoryError) as error:
                return self._filter(
                    [
                        _error_finding(
                            path,
                            SourceError(f"source too deeply nested to analyse ({type(error).__name__})"),
                            *SYNTAX_ERROR,
                        )
                    ],
                    path,
                ), consulted
        module = model.module
        if not path.startswith("<"):
            self.project.add(Path(path), model, digest or None)
        ctx = RuleContext(path, source, module, model)
        ran: List[str] = []
        for rule in self.rules:
            if self.config.is_enabled(rule.code, path):
                before = len(ctx.findings)
                self._run_rule(rule, ctx)
                if not any(f.code == RULE_ERROR[0] for f in ctx.findings[before:]):
                    ran.append(rule.code)  # a rule that failed reported nothing it meant to: its noqa are not judged
        raw = self._filter(ctx.findings, path)
        findings = apply_suppressions(raw, source)
        if wants_unused_noqa(self.config.select + self.config.extend_select) and self.config.is_enabled(
            UNUSED_NOQA, path
        ):
            findings.extend(unused_noqa(raw, source, path, lambda code: any(rule.startswith(code) for rule in ran)))
        consulted.update(self.project.dependencies())
        consulted.update(consulted_by(model))  # also what its model learnt while another file was analysed
        return sorted(findings, key=Finding.sort_key), consulted

    def _run_rule(self, rule: Rule, ctx: RuleContext) -> None:
        """One rule on one file, within its time budget; whatever goes wrong is that rule's NN002 finding
        (naming its plugin), and the other rules still run."""
        ctx.rule = rule
        first = len(ctx.findings)
        budget = TimeBudget(self.config.limits.rule_timeout)
        try:
            with budget:
                rule.check(ctx)
        except BudgetExceeded as error:
            if error.budget is not budget:
                raise  # the file's own budget: the whole file is abandoned
            del ctx.findings[first:]
            self.rule_stopped = True
            seconds = self.config.limits.rule_timeout
            ctx.findings.append(
                self._rule_error(
                    ctx.path, rule, f"exceeded {seconds:g} s on this file and was stopped (tool.nnlint.rule-timeout)"
                )
            )
            return
        except BaseException as error:
            if not is_plugin_failure(error):
                raise
            print_traceback(
                error, f"{plugin_label(rule.code, self.registry)}rule {rule.code} ({rule.name}) on {ctx.path}"
            )
            ctx.findings.append(
                self._rule_error(ctx.path, rule, failed(error, type(rule)))
            )  # its findings until then stay
        for index in range(first, len(ctx.findings)):
            problem = finding_problem(ctx.findings[index])
            if problem is not None:
                del ctx.findings[first:]
                ctx.findings.append(
                    self._rule_error(
                        ctx.path,
                        rule,
                        f"produced an unusable finding: {problem}; its findings on this file are dropped",
                    )
                )
                return

    def _rule_error(self, path: str, rule: Rule, what: str) -> Finding:
        message = f"{plugin_label(rule.code, self.registry)}rule {rule.code} ({rule.name}) {what}"
        return Finding(path, 1, 1, RULE_ERROR[0], RULE_ERROR[1], message, severity=Severity.ERROR)

    def _filter(self, findings: Iterable[Finding], path: str) -> List[Finding]:
        """The findings enabled for ``path``; an internal error (NN002) whatever the selection (a crash
        must never look like a clean result), unless ``NN002`` itself is ignored."""
        return [f for f in findings if self.config.is_enabled(f.code, path) or always_reported(f.code, self.config)]


def _read_notebook(data: bytes) -> "Notebook":
    from nnlint.notebooks import read_notebook

    return read_notebook(data)


def _parse_notebook(text: str) -> "Notebook":
    from nnlint.notebooks import parse_notebook

    return parse_notebook(text)


def always_reported(code: str, config: Config) -> bool:
    """NN002 (a rule, probe or the engine failed) shows under any ``--select``; only ignoring it by its
    exact code hides it."""
    return code == RULE_ERROR[0] and RULE_ERROR[0] not in config.ignore


def _cheap_syntax_check(source: str, path: str) -> List[Finding]:
    """Files skipped by the training-code filter still get their syntax errors reported."""
    error = python_syntax_error(source)
    return [_error_finding(path, error, *SYNTAX_ERROR)] if error is not None else []


def _error_finding(path: str, error: SourceError, code: str, name: str) -> Finding:
    return Finding(path, error.line, error.column, code, name, error.message, severity=Severity.ERROR)
