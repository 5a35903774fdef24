"""A re-run over an unchanged tree, answered from the findings cache without loading a rule (or libcst).

The findings cache (:mod:`nnlint.cache`) is keyed by a run fingerprint that covers the enabled rules and
their options, which only the rule registry knows: computing it imports every rule module, and so libcst,
several times the cost of reading a warm tree's cache entries. So each run that builds the registry also
writes a small *setup record*, found by a **setup key** that covers everything the registry and the checks
of the settings depend on, none of which needs the registry:

- nnlint's version, the folder it runs from and the size and mtime of each of its source files (its rules
  among them); the Python version and executable; the import path;
- the installed distributions on that path (each ``*.dist-info`` / ``*.egg-info`` folder's name and the
  size and mtime of its ``entry_points.txt`` and metadata), which is where plugins are declared; the
  record itself lists each loaded plugin's source files with their content hash, checked at every use;
- the configuration as loaded (every setting, rule option and plugin table), the command-line options that
  change it, and the current folder.

The record holds what the run learnt from the registry: the run fingerprint, the warnings of rules that
could not be set up, and the number of rules enabled; and an *index*: a copy of the findings-cache entry
of each file the run asked about, by absolute path (merged over the previous record's, for files still
there), so that a warm run reads one file, not one per linted file. An index entry is checked exactly as
the file's own entry would be; where the index has none, or a stale or malformed one, the file's own
entry is read (and the index rewritten after the run). A record is written only for a run whose plugins
all loaded and whose settings passed every check (the others exit or warn, and never use this path). A
later run with the same setup key reads the record, and answers from the cache when every file it would
lint is an unchanged hit; at the first miss (or anything unusual: a file that cannot be read, one over
``max-file-size``) it gives up and the ordinary run starts from the beginning, so findings, notes and
messages are those of an ordinary run in every case.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence

from nnlint import __version__
from nnlint.analysis.hashing import blake2b, content_hash
from nnlint.cache import FORMAT, SETUPS, dependencies_unchanged, nnlint_source_stamp, write_atomically
from nnlint.discovery import files_to_lint
from nnlint.finding import Finding
from nnlint.import_path import installed_path
from nnlint.limits import read_at_most

_KEEP_SETUPS = 32
_METADATA_FILES = ("entry_points.txt", "METADATA", "PKG-INFO")


@dataclass
class Setup:
    """What a run that built the rule registry recorded for later runs with the same setup key."""

    fingerprint: str
    rules: int  # rules enabled
    problems: List[str] = field(default_factory=list)  # rules that could not be set up (warnings)
    plugin_files: Dict[str, Optional[List[Any]]] = field(default_factory=dict)  # path -> [digest, size, mtime]
    entries: Dict[str, Any] = field(default_factory=dict)  # absolute path -> its findings cache entry (the index)


@dataclass
class WarmRun:
    """A run answered from the cache: every file's findings, the notes discovery gave, the files in order."""

    setup: Setup
    config: Any  # the run's configuration, the command-line options applied
    findings: List[Finding]
    notes: List[str]
    files: List[str]


def _config_state(config: Any) -> Dict[str, Any]:
    state: Dict[str, Any] = {}
    for item in dataclasses.fields(config):
        if not item.name.startswith("_"):
            value = getattr(config, item.name)
            is_instance = dataclasses.is_dataclass(value) and not isinstance(value, type)
            state[item.name] = dataclasses.asdict(value) if is_instance else value
    return state


def _distributions_stamp(path: Sequence[str]) -> List[Any]:
    """Where plugins are declared: each path entry's distribution metadata folders, by name, with the size
    and mtime of the files that hold their entry points and version (a zip on the path: its own stat)."""
    stamp: List[Any] = []
    for entry in path:
        try:
            info = os.stat(entry or ".")
        except OSError:
            stamp.append([entry, None])
            continue
        if not os.path.isdir(entry or "."):
            stamp.append([entry, info.st_size, info.st_mtime_ns])
            continue
        try:
            names = sorted(
                name for name in os.listdir(entry or ".") if name.lower().endswith((".dist-info", ".egg-info"))
            )
        except OSError:
            stamp.append([entry, "unreadable"])
            continue
        found: List[Any] = []
        for name in names:
            files: List[Optional[List[int]]] = []
            for metadata in _METADATA_FILES:
                try:
                    meta = os.stat(os.path.join(entry or ".", name, metadata))
                    files.append([meta.st_size, meta.st_mtime_ns])
                except OSError:
                    files.append(None)
            found.append([name, files])
        stamp.append([entry, found])
    return stamp


def setup_key(config: Any, options: Mapping[str, Any]) -> str:
    """The digest of everything the registry, the settings checks and the run fingerprint depend on, for a
    configuration as loaded and the command-line ``options`` that change it (select, excludes, ...)."""
    path = installed_path()
    parts = {
        "format": FORMAT,
        "nnlint": __version__,
        "package": str(Path(__file__).resolve().parent),
        "sources": nnlint_source_stamp(),
        "python": [sys.version, sys.executable],
        "path": path,
        "distributions": _distributions_stamp(path),
        "config": _config_state(config),
        "options": dict(options),
        "cwd": os.getcwd(),
    }
    encoded = json.dumps(parts, sort_keys=True, default=repr).encode("utf-8")
    return blake2b(encoded, digest_size=16).hexdigest()


def _record_path(directory: Path, key: str) -> Path:
    return Path(directory) / f"v{FORMAT}" / SETUPS / f"{key}.json"


def read_setup(directory: Path, key: str) -> Optional[Setup]:
    """The record of ``key``, if there is one and every plugin source file it lists is unchanged."""
    try:
        with open(_record_path(directory, key), "r", encoding="utf-8") as handle:
            data = json.load(handle)
        setup = Setup(
            fingerprint=data["fingerprint"],
            rules=data["rules"],
            problems=data["problems"],
            plugin_files=data["plugin_files"],
            entries=data.get("entries", {}),
        )
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None
    if not (
        isinstance(setup.fingerprint, str)
        and type(setup.rules) is int
        and isinstance(setup.problems, list)
        and all(isinstance(problem, str) for problem in setup.problems)
        and isinstance(setup.plugin_files, dict)
        and isinstance(setup.entries, dict)
    ):
        return None
    try:
        if not dependencies_unchanged(setup.plugin_files):
            return None
    except (TypeError, ValueError, IndexError):  # a stamp of the wrong shape
        return None
    return setup


def write_setup(directory: Path, key: str, setup: Setup) -> None:
    """Write the record of ``key`` atomically, its index merged over the previous record's (same fingerprint: the
    entries of files this run did not lint, those files still there); a cache folder that cannot be written is
    left alone (the findings cache reports that itself)."""
    target = _record_path(directory, key)
    entries = dict(_previous_entries(target, setup.fingerprint), **setup.entries)
    record = {
        "fingerprint": setup.fingerprint,
        "rules": setup.rules,
        "problems": setup.problems,
        "plugin_files": setup.plugin_files,
        "entries": entries,
    }
    try:  # keys in the findings' own order (evidence), as the findings cache writes them
        write_atomically(target, json.dumps(record))
        _prune(target.parent)
    except OSError:
        return


def _previous_entries(target: Path, fingerprint: str) -> Dict[str, Any]:
    try:
        with open(target, "r", encoding="utf-8") as handle:
            data = json.load(handle)
        if data["fingerprint"] != fingerprint or not isinstance(data["entries"], dict):
            return {}
        return {path: entry for path, entry in data["entries"].items() if os.path.isfile(path)}
    except (OSError, ValueError, KeyError, TypeError, RecursionError, MemoryError):
        return {}


def _prune(folder: Path) -> None:
    try:
        records = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime)
    except OSError:
        return
    for old in records[: max(0, len(records) - _KEEP_SETUPS)]:
        try:
            old.unlink()
        except OSError:
            pass


def plugin_stamps(registry: Any) -> Dict[str, Optional[List[Any]]]:
    """[digest, size, mtime] of each source file of the third-party plugins a registry loaded."""
    from nnlint.registry import BUILTIN_NAME, plugin_files

    stamps: Dict[str, Optional[List[Any]]] = {}
    for info in registry.plugins:
        if info.name == BUILTIN_NAME:
            continue
        for path in plugin_files(info):
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
                stat = os.stat(path)
            except OSError:
                continue
            stamps[path] = [content_hash(data), stat.st_size, stat.st_mtime_ns]
    return stamps


def answer_from_cache(
    config: Any,
    key: str,
    directory: Path,
    paths: Sequence[str],
    settle: Callable[[Any], None],
) -> Optional[WarmRun]:
    """The run over ``paths`` from the cache alone, or None when any file is not an unchanged hit.

    ``config`` is the configuration as loaded (left unchanged); ``settle`` applies the command-line options
    to a copy of it, as the ordinary run does after its checks."""
    from nnlint.cache import Cache

    setup = read_setup(directory, key)
    if setup is None:
        return None
    run_config = copy.deepcopy(config)
    settle(run_config)
    cache = Cache(directory, setup.fingerprint, remember_unchanged=True)
    notes: List[str] = []
    files = files_to_lint(paths, run_config, notes.append)
    limit = run_config.limits.max_file_size
    findings: List[Finding] = []
    index, missing = setup.entries, 0
    for path in files:
        try:
            with open(path, "rb") as handle:
                data = read_at_most(handle, limit)
        except (OSError, ValueError, MemoryError):
            return None
        if limit and len(data) > limit:
            return None
        digest = content_hash(data)
        cached = _from_index(cache, index.get(os.path.abspath(path)), path, digest)
        if cached is None:  # not in the index, or its entry there is older: the file's own entry
            cached = cache.get(path, digest)
            if cached is None:
                return None
            missing += 1
        findings.extend(cached)
    if missing:  # the next run finds those in the index (a run over part of the tree wrote it)
        write_setup(directory, key, dataclasses.replace(setup, entries=cache.entries()))
    return WarmRun(setup, run_config, sorted(findings, key=Finding.sort_key), notes, files)


def _from_index(cache: Any, entry: Any, path: str, digest: str) -> Optional[List[Finding]]:
    if entry is None:
        return None
    try:
        found: Optional[List[Finding]] = cache.findings_of(entry, path, digest)
        return found
    except (ValueError, RecursionError, MemoryError):  # a corrupt entry: the file's own entry decides
        return None
