"""Loading plugins (built-in and entry points) and collecting the rules and probes they provide."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import pluggy

from nnlint import builtin, hookspecs
from nnlint.hookspecs import PROJECT

if sys.version_info >= (3, 10):
    from importlib.metadata import entry_points
else:  # pragma: no cover
    from importlib_metadata import entry_points  # type: ignore[no-redef]

ENTRY_POINT_GROUP = "nnlint"
BUILTIN_NAME = "nnlint"


@dataclass
class PluginInfo:
    name: str
    version: str
    codes: List[str] = field(default_factory=list)


@dataclass
class Registry:
    rules: Dict[str, type] = field(default_factory=dict)  # code -> Rule class
    probes: Dict[str, type] = field(default_factory=dict)  # code -> Probe class
    plugins: List[PluginInfo] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)  # plugins that failed to load, code clashes

    def documented(self, code: str) -> Optional[type]:
        """The rule or probe that documents a code (a rule wins where both exist)."""
        return self.rules.get(code) or self.probes.get(code)

    def all_codes(self) -> List[str]:
        return sorted(set(self.rules) | set(self.probes))


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
                continue
            try:
                plugin = entry_point.load()
                manager.register(plugin, entry_point.name)
            except Exception as error:  # a broken plugin is reported and skipped
                errors.append(f"plugin {entry_point.name!r} failed to load: {type(error).__name__}: {error}")
                continue
            dist = getattr(entry_point, "dist", None)
            versions[entry_point.name] = getattr(dist, "version", "?") if dist is not None else "?"
    return manager, versions, errors


def _own_version() -> str:
    from nnlint import __version__

    return __version__


def _collect(manager: pluggy.PluginManager, hook_name: str, registry: Registry, target: Dict[str, type], infos: Dict[str, PluginInfo]) -> None:
    for plugin_name, plugin in manager.list_name_plugin():
        impl = getattr(plugin, hook_name, None)
        if impl is None:
            continue
        try:
            classes = impl() or []
        except Exception as error:
            registry.errors.append(f"plugin {plugin_name!r}: {hook_name}() failed: {type(error).__name__}: {error}")
            continue
        for cls in classes:
            code = getattr(cls, "code", "")
            if not code:
                registry.errors.append(f"plugin {plugin_name!r}: {cls!r} has no code; skipped")
                continue
            if code in target and target[code] is not cls:
                registry.errors.append(
                    f"plugin {plugin_name!r}: code {code} clashes with {target[code].__module__}.{target[code].__qualname__}; skipped"
                )
                continue
            target[code] = cls
            infos[plugin_name].codes.append(code)


_CACHE: Dict[bool, Registry] = {}


def load_registry(load_entry_points: bool = True) -> Registry:
    """All rules and probes of all plugins, loaded once per process."""
    if load_entry_points in _CACHE:
        return _CACHE[load_entry_points]
    manager, versions, errors = plugin_manager(load_entry_points)
    registry = Registry(errors=list(errors))
    infos = {name: PluginInfo(name, version) for name, version in versions.items()}
    _collect(manager, "nnlint_rules", registry, registry.rules, infos)
    _collect(manager, "nnlint_probes", registry, registry.probes, infos)
    registry.plugins = [infos[name] for name in versions]
    for info in registry.plugins:
        info.codes = sorted(set(info.codes))
    _CACHE[load_entry_points] = registry
    return registry
