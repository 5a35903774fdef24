"""Loading plugins (built-in and entry points) and collecting the rules and probes they provide."""
from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Type

import pluggy

from nnlint import builtin, hookspecs
from nnlint.hookspecs import PROJECT
from nnlint.plugin_boundary import describe, is_plugin_failure

if sys.version_info >= (3, 10):
    from importlib.metadata import distributions
else:  # pragma: no cover
    from importlib_metadata import distributions  # type: ignore[no-redef]

if TYPE_CHECKING:
    from nnlint.documented import Documented
    from nnlint.dynamic.probe import Probe
    from nnlint.rule import Rule

ENTRY_POINT_GROUP = "nnlint"
BUILTIN_NAME = "nnlint"
CODE_PATTERN = re.compile(r"^[A-Z]+[0-9]+$")  # the codes that noqa comments and --select understand


@dataclass
class PluginInfo:
    name: str
    version: str
    codes: List[str] = field(default_factory=list)
    distribution: str = ""  # the installed package providing the entry point ("nnlint-lightning")


@dataclass
class Registry:
    rules: Dict[str, Type[Rule]] = field(default_factory=dict)  # code -> Rule class
    probes: Dict[str, Type[Probe]] = field(default_factory=dict)  # code -> Probe class
    plugins: List[PluginInfo] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)  # plugins that failed to load, code clashes

    def documented(self, code: str) -> Optional[Type[Documented]]:
        """The rule or probe that documents a code (a rule wins where both exist)."""
        return self.rules.get(code) or self.probes.get(code)

    def all_codes(self) -> List[str]:
        return sorted(set(self.rules) | set(self.probes))

    def plugin_of(self, code: str) -> Optional[str]:
        """The name of the plugin that provides a code."""
        return next((info.name for info in self.plugins if code in info.codes), None)

    def plugin(self, name: str) -> Optional[PluginInfo]:
        return next((info for info in self.plugins if info.name == name), None)


def plugin_manager(load_entry_points: bool = True) -> tuple:
    """(PluginManager, {plugin name: version}, [load errors])."""
    manager = pluggy.PluginManager(PROJECT)
    manager.add_hookspecs(hookspecs)
    manager.register(builtin, BUILTIN_NAME)
    versions: Dict[str, str] = {BUILTIN_NAME: _own_version()}
    errors: List[str] = []
    if load_entry_points:
        for entry_point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name):
            if manager.has_plugin(entry_point.name):
                if entry_point.name != BUILTIN_NAME or _distribution_name(getattr(entry_point, "dist", None)) != "nnlint":
                    errors.append(
                        f"plugin {entry_point.name!r} from {_distribution_name(getattr(entry_point, 'dist', None))}: "
                        "that name is already taken by another plugin; skipped"
                    )
                continue
            try:
                plugin = entry_point.load()
                manager.register(plugin, entry_point.name)
            except BaseException as error:  # a broken plugin is reported and skipped, even one calling sys.exit()
                if not is_plugin_failure(error):
                    raise
                errors.append(f"plugin {entry_point.name!r} failed to load: {describe(error)}")
                continue
            dist = getattr(entry_point, "dist", None)
            versions[entry_point.name] = getattr(dist, "version", "?") if dist is not None else "?"
            _DISTRIBUTIONS[entry_point.name] = _distribution_name(dist)
    return manager, versions, errors


_DISTRIBUTIONS: Dict[str, str] = {BUILTIN_NAME: "nnlint"}


def entry_points(group: str) -> List[Any]:
    """The entry points of ``group`` that installed distributions declare, the first of each name on
    the path winning, as importlib.metadata has it. Never the current folder's: ``python -m nnlint`` puts
    it first on ``sys.path``, and a cloned repository must not get its ``*.dist-info`` loaded as a plugin."""
    found: List[Any] = []
    seen: set = set()
    for dist in distributions(path=installed_path()):
        name = _distribution_name(dist)
        if name in seen:
            continue
        seen.add(name)
        found.extend(point for point in dist.entry_points if point.group == group)
    return found


def installed_path() -> List[str]:
    """``sys.path`` without the current folder where Python put it there implicitly: ``sys.path[0]`` is
    ``''`` or the current folder under ``python -m`` / ``-c`` (not with -P / PYTHONSAFEPATH). A folder the
    user put on the path themselves (PYTHONPATH, a ``.pth`` file) stays."""
    path = list(sys.path)
    if path and not getattr(sys.flags, "safe_path", False) and _is_current_folder(path[0]):
        if not any(_is_current_folder(entry) for entry in path[1:]):
            del path[0]
    return path


def _is_current_folder(entry: str) -> bool:
    try:
        return entry in ("", ".") or os.path.samefile(entry, os.getcwd())
    except OSError:
        return False


def _distribution_name(dist: object) -> str:
    if dist is None:
        return "?"
    name = getattr(dist, "name", None)
    if name is None:
        metadata = getattr(dist, "metadata", None)
        name = metadata["Name"] if metadata is not None else None
    return str(name or "?")


def _describe(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _own_version() -> str:
    from nnlint import __version__

    return __version__


def _collect(manager: pluggy.PluginManager, hook_name: str, registry: Registry, target: Dict[str, Any], infos: Dict[str, PluginInfo]) -> None:
    owners: Dict[str, str] = {code: name for name, info in infos.items() for code in info.codes}
    # built-in first, then plugins by name: a clash always keeps the built-in rule
    ordered = sorted(manager.list_name_plugin(), key=lambda item: (item[0] != BUILTIN_NAME, item[0]))
    for plugin_name, plugin in ordered:
        impl = getattr(plugin, hook_name, None)
        if impl is None:
            continue
        try:
            classes = impl()
        except BaseException as error:
            if not is_plugin_failure(error):
                raise
            registry.errors.append(f"plugin {plugin_name!r}: {hook_name}() failed: {describe(error)}")
            continue
        if classes is None:
            continue
        if not isinstance(classes, (list, tuple)):
            registry.errors.append(f"plugin {plugin_name!r}: {hook_name}() returned {type(classes).__name__}, not a list of classes; skipped")
            continue
        for cls in classes:
            if not isinstance(cls, type):
                registry.errors.append(
                    f"plugin {plugin_name!r}: {hook_name}() returned a {type(cls).__name__} object, not a class (return the class itself); skipped"
                )
                continue
            code = getattr(cls, "code", "")
            if not code:
                registry.errors.append(f"plugin {plugin_name!r}: {cls!r} has no code; skipped")
                continue
            if not isinstance(code, str) or not CODE_PATTERN.match(code):
                registry.errors.append(
                    f"plugin {plugin_name!r}: {_describe(cls)} has code {code!r}, not letters then digits (like NNX001); skipped"
                )
                continue
            if code in target and target[code] is not cls:
                registry.errors.append(
                    f"plugin {plugin_name!r}: code {code} of {_describe(cls)} clashes with {_describe(target[code])}"
                    f" from plugin {owners.get(code, '?')!r}; skipped"
                )
                continue
            target[code] = cls
            owners[code] = plugin_name
            infos[plugin_name].codes.append(code)


_CACHE: Dict[bool, Registry] = {}


def load_registry(load_entry_points: bool = True) -> Registry:
    """All rules and probes of all plugins, loaded once per process."""
    if load_entry_points in _CACHE:
        return _CACHE[load_entry_points]
    manager, versions, errors = plugin_manager(load_entry_points)
    registry = Registry(errors=list(errors))
    infos = {name: PluginInfo(name, version, distribution=_DISTRIBUTIONS.get(name, "?")) for name, version in versions.items()}
    _collect(manager, "nnlint_rules", registry, registry.rules, infos)
    _collect(manager, "nnlint_probes", registry, registry.probes, infos)
    registry.plugins = [infos[name] for name in versions]
    for info in registry.plugins:
        info.codes = sorted(set(info.codes))
    _CACHE[load_entry_points] = registry
    return registry


def plugin_label(code: str, registry: Optional[Registry] = None) -> str:
    """``plugin 'name': `` before a message about a code a third-party plugin provides (nothing for
    nnlint's own); without ``registry``, the one this process loaded, if any."""
    registry = registry if registry is not None else _CACHE.get(True)
    plugin = registry.plugin_of(code) if registry is not None else None
    return f"plugin {plugin!r}: " if plugin not in (None, BUILTIN_NAME) else ""
