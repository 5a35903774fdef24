"""Content-hash cache of each file's findings, so a re-run over an unchanged tree is nearly free.

An entry is found by (run fingerprint, absolute path) and is valid only when
- the file's bytes hash to the stored digest, and
- every project file the analysis consulted (modules it resolved names through, modules the training-code
  filter followed) still hashes the same, and every module path it probed and did not find is still absent.

The run fingerprint covers: nnlint's version and the size/mtime of each of its own source files, the
Python version, every loaded plugin (name, version, and the size and content hash of each source file
of its top-level packages), the enabled rules with their options, and the
selection/ignore/per-file-ignore configuration. Not covered (documented in the README): adding or
removing an ``__init__.py`` that changes
how a file's own module name is computed. ``--no-cache`` bypasses the cache entirely.

Location: ``$NNLINT_CACHE_DIR`` if set, else ``.nnlint_cache`` in the project root (the folder of the
pyproject.toml that configured the run, or the current folder). Entries are small JSON files written
atomically; a cache that cannot be written disables itself with one warning and the run goes on.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

from nnlint import __version__
from nnlint.analysis.hashing import blake2b, content_hash
from nnlint.finding import Edit, Finding, Fix, Severity, Source

CACHE_DIR_NAME = ".nnlint_cache"
SETUPS = "setups"  # the setup records of nnlint.warm_run, beside the fingerprint folders
FORMAT = 1
_KEEP_RUNS = 8  # fingerprint folders kept; older ones (other configurations, older nnlint) are pruned

Dependencies = Dict[str, Optional[str]]


def default_cache_dir(project_root: Optional[Path]) -> Path:
    configured = os.environ.get("NNLINT_CACHE_DIR")
    if configured:
        return Path(configured)
    return (project_root or Path.cwd()) / CACHE_DIR_NAME


def nnlint_source_stamp() -> List[Any]:
    """[path relative to the package, size, mtime_ns] of each of nnlint's own ``.py`` files, folders in name
    order, each folder's files before its subfolders' (one ``scandir`` per folder: every run computes it)."""
    package = str(Path(__file__).resolve().parent)
    stamp: List[Any] = []
    _stamp_folder(package, "", stamp)
    return stamp


def _stamp_folder(folder: str, relative: str, stamp: List[Any]) -> None:
    try:
        with os.scandir(folder) as found:
            entries = sorted(found, key=lambda entry: entry.name)
    except OSError:
        return
    folders = []
    for entry in entries:
        try:
            is_folder = entry.is_dir()
        except OSError:
            continue
        if is_folder:
            if entry.name != "__pycache__" and not entry.is_symlink():  # as os.walk: a linked folder is not entered
                folders.append(entry)
        elif entry.name.endswith(".py"):
            try:
                info = entry.stat()
            except OSError:
                continue
            stamp.append([relative + entry.name, info.st_size, info.st_mtime_ns])
    for entry in folders:
        _stamp_folder(entry.path, f"{relative}{entry.name}{os.sep}", stamp)


def _plugin_stamp(info: Any) -> List[Any]:
    """[path, size, content digest] of each source file of a third-party plugin (nnlint's own are
    covered by ``nnlint_source_stamp``): an edited plugin invalidates the cache without a version bump."""
    from nnlint.registry import BUILTIN_NAME, plugin_files

    if getattr(info, "name", None) == BUILTIN_NAME or not hasattr(info, "modules"):
        return []
    stamp: List[Any] = []
    for path in plugin_files(info):
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        stamp.append([path, len(data), content_hash(data)])
    return stamp


def run_fingerprint(config: Any, registry: Any, rules: Sequence[Any]) -> str:
    """Digest of everything besides the file itself that decides a file's findings."""
    parts = {
        "format": FORMAT,
        "nnlint": __version__,
        "sources": nnlint_source_stamp(),
        "python": list(sys.version_info[:2]),
        "plugins": [[p.name, p.version, _plugin_stamp(p)] for p in getattr(registry, "plugins", [])],
        "rules": [[r.code, type(r).__module__, type(r).__qualname__, getattr(r, "options", None)] for r in rules],
        "select": list(config.select),
        "ignore": list(config.ignore),
        "extend_select": list(config.extend_select),
        "per_file_ignores": config.per_file_ignores,
        "limits": dataclasses.asdict(config.limits) if hasattr(config, "limits") else None,
        "root": str(config.root) if config.root is not None else None,
    }
    encoded = json.dumps(parts, sort_keys=True, default=repr).encode("utf-8")
    return blake2b(encoded, digest_size=16).hexdigest()


def finding_to_json(finding: Finding) -> Dict[str, Any]:
    data = dataclasses.asdict(finding)
    data["severity"] = finding.severity.value
    data["source"] = finding.source.value
    return data


class CorruptEntry(ValueError):
    """A cache entry that does not match the schema ``put`` writes: treated as a miss, then rewritten."""


def _require(condition: bool, what: str) -> None:
    if not condition:
        raise CorruptEntry(what)


def _is_int(value: Any, minimum: int = 0) -> bool:
    return type(value) is int and value >= minimum


def _optional(value: Any, check: Any) -> bool:
    return value is None or check(value)


_FINDING_FIELDS = frozenset(f.name for f in dataclasses.fields(Finding))
_EDIT_FIELDS = frozenset(f.name for f in dataclasses.fields(Edit))
_SEVERITIES = {s.value: s for s in Severity}
_SOURCES = {s.value: s for s in Source}


def finding_from_json(data: Any, path: str) -> Finding:
    """A finding as ``finding_to_json`` wrote it; :class:`CorruptEntry` for anything else."""
    _require(isinstance(data, dict) and set(data) == _FINDING_FIELDS, "finding fields")
    _require(all(isinstance(data[key], str) for key in ("code", "name", "message")), "finding text")
    _require(_is_int(data["line"], 1) and _is_int(data["column"], 1), "finding position")
    _require(_optional(data["end_line"], _is_int) and _optional(data["end_column"], _is_int), "finding end")
    _require(
        isinstance(data["severity"], str)
        and isinstance(data["source"], str)
        and data["severity"] in _SEVERITIES
        and data["source"] in _SOURCES,
        "finding kind",
    )
    _require(
        (data["confirmed"] is None or type(data["confirmed"]) is bool)
        and _optional(data["evidence"], lambda e: isinstance(e, dict)),
        "finding extras",
    )
    fix = data["fix"]
    if fix is not None:
        _require(
            isinstance(fix, dict)
            and set(fix) == {"description", "edits", "safe"}
            and isinstance(fix["description"], str),
            "fix",
        )
        _require(isinstance(fix["safe"], bool), "fix tier")
        _require(isinstance(fix["edits"], list), "fix edits")
        for edit in fix["edits"]:
            _require(
                isinstance(edit, dict) and set(edit) == _EDIT_FIELDS and isinstance(edit["replacement"], str), "edit"
            )
            _require(all(_is_int(edit[key]) for key in ("line", "column", "end_line", "end_column")), "edit position")
        fix = Fix(fix["description"], tuple(Edit(**edit) for edit in fix["edits"]), fix["safe"])
    values = dict(data, path=path, severity=_SEVERITIES[data["severity"]], source=_SOURCES[data["source"]], fix=fix)
    return Finding(**values)


def _check_entry(entry: Any) -> None:
    """The parts of an entry ``get`` relies on before the findings (which ``finding_from_json`` checks)."""
    _require(isinstance(entry, dict) and isinstance(entry.get("digest"), str), "entry")
    _require(isinstance(entry.get("findings"), list), "findings")
    dependencies = entry.get("dependencies")
    _require(isinstance(dependencies, dict), "dependencies")
    for stamp in dependencies.values():
        _require(
            stamp is None
            or (
                isinstance(stamp, list)
                and len(stamp) == 3
                and isinstance(stamp[0], str)
                and type(stamp[1]) is int
                and type(stamp[2]) is int
            ),
            "dependency stamp",
        )


class Cache:
    """Per-file findings, keyed by the run fingerprint and the file's absolute path."""

    def __init__(self, directory: Path, fingerprint: str, remember_unchanged: bool = False) -> None:
        self.directory = Path(directory)
        self.fingerprint = fingerprint
        self.runs = self.directory / f"v{FORMAT}"
        self.folder = self.runs / fingerprint
        self.error: Optional[str] = None  # set when the cache disabled itself
        self.hits = 0
        self.misses = 0
        self._prepared = False
        self._folder_text = str(self.folder)
        # ``remember_unchanged``, for a run that writes no file (nnlint.warm_run): each consulted file's stamp
        # found unchanged is remembered, by (path, digest, size, mtime): the files of a project share most of their
        # dependencies, and it checks each once. A run that may write files (--fix) checks every time.
        self._unchanged: Optional[Set[Tuple[str, Any, Any, Any]]] = set() if remember_unchanged else None
        # for the warm run's index (nnlint.warm_run): every file asked about, in order, and the entries this process
        # read or wrote, by absolute path (the entries a worker process wrote are read back from their files)
        self._asked: Dict[str, None] = {}
        self._known: Dict[str, Dict[str, Any]] = {}

    @property
    def enabled(self) -> bool:
        return self.error is None

    def _entry_path(self, path: str) -> Path:
        return Path(self._entry_file(path))

    def _entry_file(self, path: str) -> str:
        key = blake2b(os.path.abspath(path).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()
        return os.path.join(self._folder_text, key[:2], f"{key}.json")

    def get(self, path: str, digest: str) -> Optional[List[Finding]]:
        """The cached findings of a file whose bytes hash to ``digest``, or None."""
        if not self.enabled:
            return None
        absolute = os.path.abspath(path)
        self._asked[absolute] = None
        try:
            with open(self._entry_file(absolute), "r", encoding="utf-8") as handle:
                entry = json.load(handle)
            findings = self.findings_of(entry, path, digest)
        except (OSError, ValueError, RecursionError, MemoryError):  # unreadable, not JSON, too deep, or corrupt
            findings = None  # the file is linted again and its entry rewritten
        if findings is None:
            self.misses += 1
            return None
        self._known[absolute] = entry
        self.hits += 1
        return findings

    def findings_of(self, entry: Any, path: str, digest: str) -> Optional[List[Finding]]:
        """The findings an entry (as ``put`` writes it) holds for ``path`` whose bytes hash to ``digest``, None
        when the file or anything its analysis consulted changed; :class:`CorruptEntry` for a malformed entry."""
        _check_entry(entry)
        if entry["digest"] != digest or not dependencies_unchanged(entry["dependencies"], self._unchanged):
            return None
        return [finding_from_json(item, path) for item in entry["findings"]]

    def entries(self) -> Dict[str, Dict[str, Any]]:
        """The entries of the files this run asked about, by absolute path (those a file was not cached for
        left out): what the warm run's index holds."""
        found: Dict[str, Dict[str, Any]] = {}
        for absolute in self._asked:
            entry = self._known.get(absolute)
            if entry is None:
                try:  # written by a worker process
                    with open(self._entry_file(absolute), "r", encoding="utf-8") as handle:
                        entry = json.load(handle)
                    _check_entry(entry)
                except (OSError, ValueError, RecursionError, MemoryError):
                    continue
            found[absolute] = entry
        return found

    def put(self, path: str, digest: str, dependencies: Dependencies, findings: Sequence[Finding]) -> None:
        if not self.enabled:
            return
        absolute = os.path.abspath(path)
        try:
            entry = {
                "path": absolute,
                "digest": digest,
                "dependencies": {dep: _stamp(dep, known) for dep, known in sorted(dependencies.items())},
                "findings": [finding_to_json(f) for f in findings],
            }
            text = json.dumps(entry)  # keys in the findings' own order: a warm report is byte-identical to a cold one
        except (TypeError, ValueError):
            return  # a finding carries evidence JSON cannot hold: that file is simply not cached
        self._asked[absolute] = None
        self._known[absolute] = json.loads(text)  # as a later read will find it (tuples as lists)
        try:
            self._prepare()
            write_atomically(self._entry_path(path), text)
        except OSError as error:
            self.error = f"cache disabled: cannot write {self.directory}: {error.strerror or error}"

    def _prepare(self) -> None:
        if self._prepared:
            return
        self._prepared = True
        new = not self.folder.exists()
        self.folder.mkdir(parents=True, exist_ok=True)
        tag = self.directory / "CACHEDIR.TAG"
        if not tag.exists():
            tag.write_text(
                "Signature: 8a477f597d28d172789f06886806bc55\n# nnlint cache; see https://bford.info/cachedir/\n"
            )
            (self.directory / ".gitignore").write_text("*\n")
        if new:
            self._prune()

    def _prune(self) -> None:
        try:
            runs = sorted(
                (p for p in self.runs.iterdir() if p.is_dir() and p != self.folder and p.name != SETUPS),
                key=lambda p: p.stat().st_mtime,
            )
        except OSError:
            return
        for old in runs[: max(0, len(runs) - (_KEEP_RUNS - 1))]:
            import shutil  # here: most runs prune nothing, and it imports the compression modules

            shutil.rmtree(old, ignore_errors=True)


def write_atomically(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` (its folder made) through a temporary file renamed over it: a reader
    never sees half an entry. OSError when the folder cannot be written."""
    import tempfile  # here: a warm run writes nothing

    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".json")
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, target)


def _stamp(path: str, digest: Optional[str]) -> Optional[List[Any]]:
    """[digest, size, mtime_ns] of a consulted file (stat lets the check skip re-hashing), None when absent."""
    if digest is None:
        return None
    try:
        info = os.stat(path)
    except OSError:
        return [digest, -1, -1]
    return [digest, info.st_size, info.st_mtime_ns]


def dependencies_unchanged(
    dependencies: Dict[str, Optional[List[Any]]], known: Optional[Set[Tuple[str, Any, Any, Any]]] = None
) -> bool:
    """Whether every consulted file still hashes to its stamp (a stat that matches skips the hash) and every
    file found absent still is; ``known``: the stamps this run found unchanged already (added to)."""
    for path, stamp in dependencies.items():
        remembered = (path, None, None, None) if stamp is None else (path, stamp[0], stamp[1], stamp[2])
        if known is not None and remembered in known:
            continue
        if stamp is None:
            if os.path.exists(path):
                return False
        else:
            try:
                info = os.stat(path)
            except OSError:
                return False
            if info.st_size != stamp[1] or info.st_mtime_ns != stamp[2]:
                try:
                    with open(path, "rb") as handle:
                        if content_hash(handle.read()) != stamp[0]:
                            return False
                except OSError:
                    return False
        if known is not None:
            known.add(remembered)
    return True
