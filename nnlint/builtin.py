"""nnlint's own rules and probes, registered as an ordinary plugin through the public hooks."""

from __future__ import annotations

import importlib
import pkgutil
from typing import List

from nnlint.hookspecs import hookimpl


def _classes_in_package(package_name: str, base_module: str, base_name: str) -> List[type]:
    package = importlib.import_module(package_name)
    base = getattr(importlib.import_module(base_module), base_name)
    found: List[type] = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{package_name}.{info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, base)
                and value is not base
                and value.__module__ == module.__name__
                and getattr(value, "code", None)
            ):
                found.append(value)
    return found


@hookimpl
def nnlint_rules() -> List[type]:
    return _classes_in_package("nnlint.rules", "nnlint.rule", "Rule")


@hookimpl
def nnlint_probes() -> List[type]:
    try:
        importlib.import_module("nnlint.dynamic.probes")
        importlib.import_module("nnlint.dynamic.probe")
    except ImportError:
        return []
    return _classes_in_package("nnlint.dynamic.probes", "nnlint.dynamic.probe", "Probe")
