"""Which files can be training code, decided from their import lines alone (no libcst parse).

A file is analysed when it imports torch, numpy or lightning (or a library built on them), or imports
a module of its own project that does, directly or through a short chain of project modules. Every
other file only gets the cheap syntax check. The scan is a regular expression over the raw bytes:
it errs on the side of analysing (an ``import torch`` inside a docstring lets a file through; an
import built at run time with ``importlib`` is not seen, and neither is the file).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Set, Tuple

from nnlint.analysis.hashing import content_hash

# Top-level packages whose import marks a file as (possibly) training code.
TRAINING_ROOTS = frozenset(
    {
        "torch",
        "numpy",
        "lightning",
        "pytorch_lightning",
        "lightning_fabric",
        "timm",
        "transformers",
        "accelerate",
        "deepspeed",
        "torchvision",
        "torchaudio",
        "torchtext",
        "torchmetrics",
        "fairscale",
    }
)
# Linting an installed package: its neighbours there are other distributions, not the same project.
INSTALLED_PACKAGE_DIRS = frozenset({"site-packages", "dist-packages"})
_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) | {"__future__"}
_MAX_CHAIN = 4  # project modules followed from the linted file
_MAX_NAMES = 16  # `from pkg import a, b, ...`: names probed as submodules

_IMPORT = re.compile(
    rb"(?:^|;)[ \t]*(?:from[ \t]+(?P<base>\.*[\w.]*)[ \t]+import[ \t]*(?P<names>\([^)]*\)?|[^\r\n#;]*)"
    rb"|import[ \t]+(?P<modules>[^\r\n#;]*))",
    re.M,
)
_NAME = re.compile(rb"[A-Za-z_]\w*")
_DOTTED = re.compile(rb"[A-Za-z_][\w.]*")


def imports_of(data: bytes) -> Iterator[Tuple[int, str, List[str]]]:
    """(relative level, module, imported names) for each import statement found in the source."""
    data = data.replace(b"\\\r\n", b" ").replace(b"\\\n", b" ")  # backslash continuations
    for match in _IMPORT.finditer(data):
        if match["modules"] is not None:
            for part in match["modules"].split(b","):
                found = _DOTTED.search(part)
                if found:
                    yield 0, found.group().decode("ascii", "replace"), []
            continue
        base = match["base"]
        level = len(base) - len(base.lstrip(b"."))
        names = [n.decode("ascii", "replace") for n in _NAME.findall(match["names"] or b"") if n != b"as"]
        yield level, base[level:].decode("ascii", "replace"), names[:_MAX_NAMES]


class TrainingCodeFilter:
    """Answers "can this file be training code?"; remembers every file it scanned for the whole run."""

    def __init__(self) -> None:
        self._direct: Dict[str, Tuple[bool, List[Tuple[int, str, List[str]]], Optional[str]]] = {}

    def may_be_training_code(self, data: bytes, path: str) -> Tuple[bool, Dict[str, Optional[str]]]:
        """(verdict, project files consulted: path -> content hash, None when probed and absent)."""
        direct, imports = _scan(data)
        if direct:
            return True, {}
        if path.startswith("<"):
            return False, {}
        consulted: Dict[str, Optional[str]] = {}
        verdict = self._through_project(imports, Path(os.path.abspath(path)), consulted, {os.path.abspath(path)}, 0)
        return verdict, consulted

    # ------------------------------------------------------------------------------ internals
    def _file(self, path: str) -> Tuple[bool, List[Tuple[int, str, List[str]]], Optional[str]]:
        known = self._direct.get(path)
        if known is None:
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
            except OSError:
                known = (False, [], None)
            else:
                direct, imports = _scan(data)
                known = (direct, imports, content_hash(data))
            self._direct[path] = known
        return known

    def _through_project(self, imports, importer: Path, consulted, seen: Set[str], depth: int) -> bool:
        if depth >= _MAX_CHAIN:
            return False
        for candidate in _project_candidates(imports, importer, consulted):
            key = str(candidate)
            if key in seen:
                continue
            seen.add(key)
            direct, inner, digest = self._file(key)
            consulted[key] = digest
            if direct or self._through_project(inner, candidate, consulted, seen, depth + 1):
                return True
        return False


def _scan(data: bytes) -> Tuple[bool, List[Tuple[int, str, List[str]]]]:
    imports = list(imports_of(data))
    direct = any(level == 0 and module.split(".")[0] in TRAINING_ROOTS for level, module, _ in imports)
    return direct, imports


def _project_candidates(imports, importer: Path, consulted: Dict[str, Optional[str]]) -> Iterator[Path]:
    """Files of the importer's project that its imports may name (existing ones only; misses are recorded)."""
    folder = importer.parent
    roots = _search_roots(folder)
    for level, module, names in imports:
        if level == 0:
            if not module or module.split(".")[0] in _STDLIB:
                continue
            bases = [root.joinpath(*module.split(".")) for root in roots]
        else:
            base = folder
            for _ in range(level - 1):
                base = base.parent
            bases = [base.joinpath(*module.split(".")) if module else base]
        for base in bases:
            targets = ([base.with_suffix(".py"), base / "__init__.py"] if base != folder or module else []) + [
                base / f"{name}.py" for name in names
            ]
            for target in targets:
                if target.is_file():
                    yield target
                else:
                    consulted[str(target)] = None


def _search_roots(folder: Path) -> List[Path]:
    """The importer's folder and the folder above its outermost package (as the project index searches)."""
    roots = [folder]
    directory = folder
    while (directory / "__init__.py").exists() and directory.parent != directory:
        directory = directory.parent
    if directory != folder and directory.name not in INSTALLED_PACKAGE_DIRS:
        roots.append(directory)
    return roots
