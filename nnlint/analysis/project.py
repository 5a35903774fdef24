"""The project index: follows ``from models import Net`` to the file that defines ``Net``.

Each file is read and parsed at most once per run, whether it is linted itself or only consulted
because another file imports from it; the semantic model built for it is shared too.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple, TypeVar, Union


from nnlint.analysis.model import ClassInfo, FunctionInfo, SemanticModel
from nnlint.analysis.hashing import content_hash
from nnlint.analysis.project_paths import (
    _caller_folders,
    _module_name_in,
    _package_chain,
    _search_roots,
    _search_roots_in,
    module_name_for,
)
from nnlint.analysis.source import SourceError, decode_source, parse_source

# Imports that are never project modules: no need to look for them on disk.
_EXTERNAL_ROOTS = frozenset(
    {
        "torch",
        "torchvision",
        "torchaudio",
        "torchtext",
        "numpy",
        "np",
        "scipy",
        "sklearn",
        "pandas",
        "timm",
        "transformers",
        "pytorch_lightning",
        "lightning",
        "os",
        "sys",
        "math",
        "random",
        "time",
        "argparse",
        "collections",
        "typing",
        "json",
        "pathlib",
        "functools",
        "itertools",
        "logging",
        "dataclasses",
        "re",
        "copy",
        "tqdm",
        "matplotlib",
        "PIL",
        "cv2",
        "warnings",
        "shutil",
        "glob",
    }
)
_MAX_REEXPORT_DEPTH = 4
_MAX_FILES_PER_FOLDER = 400  # a folder larger than this (a vendored library) is not searched for callers
_MAX_CALLER_FILE_BYTES = 1_000_000
_CALLED_WORD = re.compile(rb"(?<![\w])(\w+)\s*\(")
Dependencies = Dict[str, Optional[str]]
_Memo = TypeVar("_Memo")


class ProjectIndex:
    """Semantic models of the project's files, built on demand and cached for the whole run."""

    def __init__(self) -> None:
        self._models: Dict[Path, Optional[SemanticModel]] = {}
        self._resolved: Dict[str, Path] = {}
        self._module_paths: Dict[Tuple[Path, Tuple[str, ...]], Tuple[Optional[Path], Dependencies]] = {}
        self._lookups: Dict[Tuple[str, str, int], Tuple[Optional[Union[ClassInfo, FunctionInfo]], Dependencies]] = {}
        self._hashes: Dict[str, str] = {}
        # files the current file's analysis looked at (path -> content hash, None: probed but absent)
        self._dependencies: Dict[str, Optional[str]] = {}
        self._folder_files: Dict[Path, List[Path]] = {}
        self._file_bytes: Dict[Path, bytes] = {}
        self._called_words: Dict[Path, Set[str]] = {}  # words followed by `(` in a file (possible callers)
        self._module_imports: Dict[Tuple[Path, str], bool] = {}
        self._accepted: Dict[Tuple[Path, Callable[[bytes], bool]], bool] = {}  # see files_with_text()
        self._roots: Dict[str, List[Path]] = {}  # file -> its _search_roots (a dozen stat calls each)
        self._folders: Dict[str, Tuple[Path, List[Path], List[str]]] = {}  # see _folder()
        self._subfolders: Dict[Path, List[Path]] = {}
        self._memos: Dict[Tuple[str, ...], Tuple[object, Dependencies]] = {}

    def _folder(self, path: Path) -> Optional[Tuple[Path, List[Path], List[str]]]:
        """(resolved folder, search roots, package chain) shared by the files of a file's folder; None for a
        symbolic link (which may resolve elsewhere)."""
        text = str(path)
        if os.path.islink(text):
            return None
        folder = os.path.dirname(text)
        facts = self._folders.get(folder)
        if facts is None:
            directory = path.resolve().parent  # the folder's, since the file itself is no link
            facts = self._folders[folder] = (directory, _search_roots_in(directory), _package_chain(directory))
        return facts

    def search_roots(self, path: Path) -> List[Path]:
        """:func:`_search_roots` of a file, found once per folder and index (a run, or one project of it)."""
        key = str(path)
        roots = self._roots.get(key)
        if roots is None:
            facts = self._folder(path)
            roots = self._roots[key] = facts[1] if facts is not None else _search_roots(path)
        return roots

    def module_name(self, path: Path) -> Tuple[str, bool]:
        """:func:`module_name_for`, with the package chain found once per folder and index."""
        facts = self._folder(path)
        if facts is None:
            return module_name_for(path)
        return _module_name_in(facts[0], path.name, facts[2])

    def subfolders(self, root: Path) -> List[Path]:
        """The sorted subfolders of a folder (listed once per index)."""
        below = self._subfolders.get(root)
        if below is None:
            try:
                below = sorted(entry for entry in root.iterdir() if entry.is_dir())
            except OSError:
                below = []
            self._subfolders[root] = below
        return below

    def project_root(self, path: Path) -> Path:
        """:func:`project_root` of a file, from :meth:`search_roots`."""
        return self.search_roots(path)[-1]

    def _resolve(self, path: Path) -> Path:
        text = str(path)
        resolved = self._resolved.get(text)
        if resolved is None:
            resolved = self._resolved[text] = path.resolve()
        return resolved

    def add(self, path: Path, model: SemanticModel, digest: Optional[str] = None) -> None:
        key = self._resolve(path)
        self._models[key] = model
        if digest is not None:
            self._hashes[str(key)] = digest

    def _digest(self, resolved: str) -> Optional[str]:
        digest = self._hashes.get(resolved)
        if digest is None:
            try:
                digest = self._hashes[resolved] = content_hash(Path(resolved).read_bytes())
            except OSError:
                return None
        return digest

    def __len__(self) -> int:
        return len(self._models)

    def release(self) -> None:
        """Drop every model kept, each released (:meth:`SemanticModel.release`): for an index no file will use
        again, as when a run moves on to another project."""
        for model in self._models.values():
            if model is not None:
                model.release()
        for table in list(vars(self).values()):
            if isinstance(table, dict):
                table.clear()

    def start_file(self) -> None:
        """Begin collecting the project files the next file's analysis resolves names through."""
        self._dependencies = {}

    def dependencies(self) -> Dict[str, Optional[str]]:
        """Project files consulted since :meth:`start_file`: path -> blake2b of its bytes, None if probed and absent."""
        return dict(self._dependencies)

    def _record(self, model: SemanticModel, consulted: Dependencies) -> None:
        """Files consulted on behalf of ``model``: for the file being analysed now, and for ``model``'s own file
        (:func:`consulted_by`), whose analysis may later reuse what was learnt here while another file was
        being analysed (its model built as that file's import or caller)."""
        self._dependencies.update(consulted)
        if consulted and not model.path.startswith("<"):
            model.cached_analysis("consulted-files", _no_dependencies).update(consulted)

    def already_built(self, path: Path, data: bytes) -> Optional[SemanticModel]:
        """The model built earlier in this run for this file (as an import of another one), if its bytes are
        unchanged."""
        key = self._resolve(path)
        model = self._models.get(key)
        if model is None or self._hashes.get(str(key)) != content_hash(data):
            return None
        return model

    def model_for_path(self, path: Path) -> Optional[SemanticModel]:
        key = self._resolve(path)
        if key in self._models:
            return self._models[key]
        self._models[key] = None  # guards against import cycles
        try:
            data = key.read_bytes()
        except OSError:
            return None
        self._hashes[str(key)] = content_hash(data)
        try:
            source = decode_source(data)
            module = parse_source(source)
        except SourceError:
            return None
        name, is_package = self.module_name(key)
        model = SemanticModel(module, str(path), name, is_package, self)
        model.source = source
        self._models[key] = model
        return model

    def _find_module(self, parts: Tuple[str, ...], importer: Path) -> Optional[Path]:
        key = (importer.parent, parts)
        cached = self._module_paths.get(key)
        if cached is None:
            found: Optional[Path] = None
            probed: Dependencies = {}
            for root in self.search_roots(importer):
                base = root.joinpath(*parts)
                for candidate in (base.with_suffix(".py") if parts else None, base / "__init__.py"):
                    if candidate is None:
                        continue
                    if candidate.is_file():
                        found = candidate
                        break
                    probed[str(candidate)] = None
                if found is not None:
                    break
            cached = self._module_paths[key] = (found, probed)
        self._dependencies.update(cached[1])
        return cached[0]

    def lookup(
        self, qualname: str, importer: SemanticModel, _depth: int = 0
    ) -> Optional[Union[ClassInfo, FunctionInfo]]:
        """The class or function a qualified name designates in the project, if it is defined there."""
        parts = tuple(qualname.split("."))
        if not parts or parts[0] in _EXTERNAL_ROOTS or _depth > _MAX_REEXPORT_DEPTH or importer.path.startswith("<"):
            return None
        key = (qualname, os.path.dirname(importer.path), _depth)
        memo = self._lookups.get(key)
        if memo is None:
            outer = self._dependencies
            self._dependencies = {}
            try:
                found = self._lookup(parts, importer, _depth)
            finally:
                consulted, self._dependencies = self._dependencies, outer
            memo = self._lookups[key] = (found, consulted)
        self._record(importer, memo[1])
        return memo[0]

    def module_model(self, module: str, importer: SemanticModel) -> Optional[SemanticModel]:
        """The model of a project module named by an import of ``importer`` (None: not a project file)."""
        parts = tuple(module.split("."))
        if not parts or parts[0] in _EXTERNAL_ROOTS or importer.path.startswith("<"):
            return None
        outer, self._dependencies = self._dependencies, {}
        try:
            path = self._find_module(parts, Path(importer.path))
            if path is not None:
                resolved = str(self._resolve(path))
                self._dependencies[resolved] = self._digest(resolved)
        finally:
            consulted, self._dependencies = self._dependencies, outer
        self._record(importer, consulted)
        return self.model_for_path(path) if path is not None else None

    def _lookup(
        self, parts: Tuple[str, ...], importer: SemanticModel, _depth: int
    ) -> Optional[Union[ClassInfo, FunctionInfo]]:
        importer_path = Path(importer.path)
        for split in range(len(parts) - 1, 0, -1):
            module_path = self._find_module(parts[:split], importer_path)
            if module_path is None:
                continue
            model = self.model_for_path(module_path)
            resolved = str(self._resolve(module_path))
            self._dependencies[resolved] = self._digest(resolved)
            if model is None:
                return None
            name = parts[split]
            found: Optional[Union[ClassInfo, FunctionInfo]] = model.find_class(name) or model.find_function(name)
            if found is None:
                binding = model.lookup(name, model.module_scope)
                if binding is not None and binding.kind == "import" and binding.qualname:
                    found = self.lookup(binding.qualname, model, _depth + 1)
            if found is not None and split + 1 < len(parts) and isinstance(found, ClassInfo):
                method = found.methods.get(parts[split + 1])
                return method
            return found
        return None

    def _python_files(self, folder: Path) -> List[Path]:
        files = self._folder_files.get(folder)
        if files is None:
            try:
                found = sorted(entry for entry in folder.iterdir() if entry.suffix == ".py" and entry.is_file())
            except OSError:
                found = []
            files = self._folder_files[folder] = found if len(found) <= _MAX_FILES_PER_FOLDER else []
        return files

    def _bytes_of(self, path: Path) -> bytes:
        data = self._file_bytes.get(path)
        if data is None:
            try:
                data = path.read_bytes() if path.stat().st_size <= _MAX_CALLER_FILE_BYTES else b""
            except OSError:
                data = b""
            self._file_bytes[path] = data
        return data

    def _calls_name(self, path: Path, name: str) -> bool:
        """Whether the file's text has ``name(`` or ``name (`` (``name`` not the tail of a longer word): the words
        written so are found once per file (``_CALLED_WORD``), not searched for again for every name."""
        if not name.isascii():  # a bytes pattern's word characters are ASCII: search for such a name as written
            return re.search(rb"(?<![\w])" + re.escape(name).encode() + rb"\s*\(", self._bytes_of(path)) is not None
        called = self._called_words.get(path)
        if called is None:
            data = self._bytes_of(path)
            if name.encode() not in data:  # not even written there: no need to list the file's calls yet
                return False
            called = self._called_words[path] = {word.decode("ascii") for word in _CALLED_WORD.findall(data)}
        return name in called

    def _imports_module(self, path: Path, module: str, pattern: "re.Pattern[bytes]") -> bool:
        """Whether the file has an import that names the module (``pattern``, which spells ``module`` out)."""
        key = (path, module)
        known = self._module_imports.get(key)
        if known is None:
            data = self._bytes_of(path)
            known = self._module_imports[key] = module.encode() in data and pattern.search(data) is not None
        return known

    def files_that_may_call(self, name: str, owner: SemanticModel) -> List[SemanticModel]:
        """Models of the other project files that mention ``name`` and the owner's module: its possible callers.

        Searched: the owner's folder and the folders its imports resolve from (the scripts beside it and the
        root of its package), and the folders one level below those two (scripts in a subfolder), not the
        whole tree; a file is parsed only if its text names both.
        """
        if owner.path.startswith("<"):
            return []
        owner_path = self._resolve(Path(owner.path))
        module = owner_path.parent.name if owner_path.name == "__init__.py" else owner_path.stem
        module_word = re.escape(module)
        # a call of the name, and an import that names the owner's module (`import engine`, `from engine import
        # fit`, `from .engine import *`, `from . import engine`, `from pkg.engine import ...`)
        imports = re.compile(
            rb"^[ \t]*(?:from[ \t]+[\w.]*\b"
            + module_word.encode()
            + rb"\b[ \t]+import|import[ \t]+[\w., \t]*\b"
            + module_word.encode()
            + rb"\b|from[ \t]+[\w.]+[ \t]+import[^\n]*\b"
            + module_word.encode()
            + rb"\b)",
            re.M,
        )
        models: List[SemanticModel] = []
        seen = {owner_path}
        for folder in _caller_folders(self.search_roots(owner_path), self.subfolders):
            for candidate in self._python_files(folder):
                resolved = self._resolve(candidate)
                if (
                    resolved in seen
                    or not self._calls_name(resolved, name)
                    or not self._imports_module(resolved, module, imports)
                ):
                    continue
                seen.add(resolved)
                model = self.model_for_path(resolved)
                if model is not None:
                    self._record(owner, {str(resolved): self._digest(str(resolved))})
                    models.append(model)
        return models

    def files_with_text(
        self, owner: SemanticModel, needles: Sequence[bytes], accept: Optional[Callable[[bytes], bool]] = None
    ) -> List[SemanticModel]:
        """Models of the other project files near ``owner`` (where :meth:`files_that_may_call` searches) whose
        text holds every one of ``needles`` (and passes ``accept``); a file is parsed only if it does."""
        if owner.path.startswith("<"):
            return []
        owner_path = self._resolve(Path(owner.path))
        models: List[SemanticModel] = []
        seen = {owner_path}
        for folder in _caller_folders(self.search_roots(owner_path), self.subfolders):
            for candidate in self._python_files(folder):
                resolved = self._resolve(candidate)
                if resolved in seen:
                    continue
                seen.add(resolved)
                data = self._bytes_of(resolved)
                if not all(needle in data for needle in needles) or (
                    accept is not None and not self._accepts(resolved, data, accept)
                ):
                    continue
                model = self.model_for_path(resolved)
                if model is not None:
                    self._record(owner, {str(resolved): self._digest(str(resolved))})
                    models.append(model)
        return models

    def _accepts(self, path: Path, data: bytes, accept: Callable[[bytes], bool]) -> bool:
        """``accept(data)`` for a file's text, judged once per index (each file of a folder asks again)."""
        key = (path, accept)
        known = self._accepted.get(key)
        if known is None:
            known = self._accepted[key] = accept(data)
        return known

    def memoised(self, key: Tuple[str, ...], compute: Callable[[], _Memo]) -> _Memo:
        """``compute()``, found once per index: the project files it consults are noted again for every file
        whose analysis asks (as :meth:`lookup` does), so each file's cache entry stays complete."""
        memo = self._memos.get(key)
        if memo is None:
            outer = self._dependencies
            self._dependencies = {}
            try:
                value: object = compute()
            finally:
                consulted, self._dependencies = self._dependencies, outer
            memo = self._memos[key] = (value, consulted)
        self._dependencies.update(memo[1])
        return memo[0]  # type: ignore[return-value]

    def model_of(self, func: FunctionInfo) -> Optional[SemanticModel]:
        # the model whose tree holds the function: the one whose module scope its scopes nest in (an identity
        # test, where looking the node up in each model's node-keyed order hashed it in Python once per model)
        outer = func.scope
        while outer.parent is not None:
            outer = outer.parent
        for model in self._models.values():
            if model is not None and model.module_scope is outer:
                return model
        return None


def consulted_by(model: SemanticModel) -> Dependencies:
    """The project files a model's analysis has consulted so far, whichever file was being analysed then."""
    return dict(model.cached_analysis("consulted-files", _no_dependencies))


def _no_dependencies() -> Dependencies:
    return {}
