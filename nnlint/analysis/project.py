"""The project index: follows ``from models import Net`` to the file that defines ``Net``.

Each file is read and parsed at most once per run, whether it is linted itself or only consulted
because another file imports from it; the semantic model built for it is shared too.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, List, Optional, Tuple, Union

import libcst as cst

from nnlint.analysis.model import ClassInfo, FunctionInfo, SemanticModel
from nnlint.analysis.source import SourceError, parse_source, read_source

# Imports that are never project modules: no need to look for them on disk.
_EXTERNAL_ROOTS = frozenset(
    {
        "torch", "torchvision", "torchaudio", "torchtext", "numpy", "np", "scipy", "sklearn", "pandas",
        "timm", "transformers", "pytorch_lightning", "lightning", "os", "sys", "math", "random", "time",
        "argparse", "collections", "typing", "json", "pathlib", "functools", "itertools", "logging",
        "dataclasses", "re", "copy", "tqdm", "matplotlib", "PIL", "cv2", "warnings", "shutil", "glob",
    }
)
_MAX_REEXPORT_DEPTH = 4


def module_name_for(path: Path) -> Tuple[str, bool]:
    """(dotted module name, is_package) of a file, from the chain of packages (``__init__.py``) above it."""
    path = path.resolve()
    is_package = path.name == "__init__.py"
    parts: List[str] = [] if is_package else [path.stem]
    directory = path.parent
    while (directory / "__init__.py").exists():
        parts.append(directory.name)
        if directory.parent == directory:
            break
        directory = directory.parent
    return ".".join(reversed(parts)), is_package


def _search_roots(path: Path) -> List[Path]:
    """Where imports of a file are resolved: its own folder (scripts) and the root of its package."""
    path = path.resolve()
    roots = [path.parent]
    directory = path.parent
    while (directory / "__init__.py").exists() and directory.parent != directory:
        directory = directory.parent
    if directory not in roots:
        roots.append(directory)
    return roots


class ProjectIndex:
    """Semantic models of the project's files, built on demand and cached for the whole run."""

    def __init__(self) -> None:
        self._models: Dict[Path, Optional[SemanticModel]] = {}
        self._module_paths: Dict[Tuple[Path, Tuple[str, ...]], Optional[Path]] = {}

    def add(self, path: Path, model: SemanticModel) -> None:
        self._models[path.resolve()] = model

    def model_for_path(self, path: Path) -> Optional[SemanticModel]:
        key = path.resolve()
        if key in self._models:
            return self._models[key]
        self._models[key] = None  # guards against import cycles
        try:
            module = parse_source(read_source(key))
        except SourceError:
            return None
        name, is_package = module_name_for(key)
        model = SemanticModel(module, str(path), name, is_package, self)
        self._models[key] = model
        return model

    def _find_module(self, parts: Tuple[str, ...], importer: Path) -> Optional[Path]:
        key = (importer.parent, parts)
        if key in self._module_paths:
            return self._module_paths[key]
        found: Optional[Path] = None
        for root in _search_roots(importer):
            base = root.joinpath(*parts)
            for candidate in (base.with_suffix(".py") if parts else None, base / "__init__.py"):
                if candidate is not None and candidate.is_file():
                    found = candidate
                    break
            if found is not None:
                break
        self._module_paths[key] = found
        return found

    def lookup(self, qualname: str, importer: SemanticModel, _depth: int = 0) -> Optional[Union[ClassInfo, FunctionInfo]]:
        """The class or function a qualified name designates in the project, if it is defined there."""
        parts = tuple(qualname.split("."))
        if not parts or parts[0] in _EXTERNAL_ROOTS or _depth > _MAX_REEXPORT_DEPTH or importer.path.startswith("<"):
            return None
        importer_path = Path(importer.path)
        for split in range(len(parts) - 1, 0, -1):
            module_path = self._find_module(parts[:split], importer_path)
            if module_path is None:
                continue
            model = self.model_for_path(module_path)
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

    def model_of(self, func: FunctionInfo) -> Optional[SemanticModel]:
        for model in self._models.values():
            if model is not None and func.scope.node in model.order:
                return model
        return None
