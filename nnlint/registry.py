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
from nnlint.import_path import installed_path
from nnlint.plugin_boundary import describe, is_plugin_failure

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
    modules: List[str] = field(default_factory=list)  # top-level modules of its hooks, rules and probes


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
                if (
                    entry_point.name != BUILTIN_NAME
                    or _distribution_name(getattr(entry_point, "dist", None)) != "nnlint"
                ):
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
            problem = _hook_problem(manager, plugin, entry_point.name)
            if problem is not None:
                manager.unregister(plugin, entry_point.name)
                errors.append(f"plugin {entry_point.name!r}: {problem}; skipped")
                continue
            dist = getattr(entry_point, "dist", None)
            versions[entry_point.name] = getattr(dist, "version", "?") if dist is not None else "?"
            _DISTRIBUTIONS[entry_point.name] = _distribution_name(dist)
    return manager, versions, errors


_DISTRIBUTIONS: Dict[str, str] = {BUILTIN_NAME: "nnlint"}
HOOK_NAMES = sorted(name for name in vars(hookspecs) if name.startswith("nnlint_"))


def _hook_problem(manager: pluggy.PluginManager, plugin: object, name: str) -> Optional[str]:
    """What is wrong with a just-registered plugin's hooks, checked by pluggy (``check_pending``: a
    ``@hookimpl`` whose name no hookspec has, a misspelt ``nnlint_probe``), plus a hook-named function
    left without ``@hookimpl`` (pluggy would silently ignore it); None when all is well."""
    try:
        manager.check_pending()
    except pluggy.PluginValidationError:
        unknown = sorted(caller.name for caller in manager.get_hookcallers(plugin) or [] if not caller.has_spec())
        return f"unknown hook {', '.join(unknown) or '?'} (known hooks: {', '.join(HOOK_NAMES)})"
    unmarked = [
        hook
        for hook in HOOK_NAMES
        if callable(getattr(plugin, hook, None))
        and not any(impl.plugin_name == name for impl in getattr(manager.hook, hook).get_hookimpls())
    ]
    if unmarked:
        return f"{', '.join(unmarked)} lacks the @hookimpl marker (from nnlint.api import hookimpl)"
    if not any(manager.get_hookcallers(plugin) or []):
        return f"implements no hook (known hooks: {', '.join(HOOK_NAMES)})"
    return None


def entry_points(group: str) -> List[Any]:
    """The entry points of ``group`` that installed distributions declare, the first of each name on
    the path winning, as importlib.metadata has it. Never the current folder's: ``python -m nnlint`` puts
    it first on ``sys.path``, and a cloned repository must not get its ``*.dist-info`` loaded as a plugin."""
    path = installed_path()
    if not _may_declare(path, group):
        return []
    if sys.version_info >= (3, 10):  # here: a tenth of a cold run's start, where no distribution declares a plugin
        from importlib.metadata import distributions
    else:  # pragma: no cover
        from importlib_metadata import distributions
    found: List[Any] = []
    seen: set = set()
    for dist in distributions(path=path):
        name = _identity(dist)
        if name in seen:
            continue
        seen.add(name)
        found.extend(point for point in dist.entry_points if point.group == group)
    return found


def _may_declare(path: List[str], group: str) -> bool:
    """Whether any distribution on ``path`` may declare an entry point of ``group``: False only when every
    ``*.dist-info`` / ``*.egg-info`` folder's ``entry_points.txt`` lacks a ``[group]`` section, read as
    importlib.metadata reads it, and nothing else could declare one (a zip file or an ``.egg`` on the path, a
    distribution finder of another kind on ``sys.meta_path``, a file that cannot be read)."""
    from importlib.machinery import PathFinder

    if any(hasattr(finder, "find_distributions") and finder is not PathFinder for finder in sys.meta_path):
        return True
    for entry in path:
        folder = entry or "."
        try:
            children = os.listdir(folder)
        except OSError:
            if os.path.exists(folder):
                return True  # a zip file, or a folder that cannot be listed
            continue
        if folder.lower().endswith(".egg"):
            return True
        for child in children:
            if child.lower().endswith((".dist-info", ".egg-info")) and _declares(os.path.join(folder, child), group):
                return True
    return False


def _declares(info: str, group: str) -> bool:
    try:
        with open(os.path.join(info, "entry_points.txt"), "r", encoding="utf-8") as handle:
            text = handle.read()
    except (FileNotFoundError, NotADirectoryError):
        return False  # declares no entry point (an .egg-info file, a distribution without entry points)
    except (OSError, ValueError):
        return True
    for line in text.splitlines():  # importlib.metadata's Sectioned.read: a stripped ``[name]`` line
        line = line.strip()
        if line.startswith("[") and line.endswith("]") and line.strip("[]") == group:
            return True
    return False


def _identity(dist: object) -> str:
    """What tells two distributions apart, as importlib.metadata's own ``entry_points()`` has it: the
    normalised name, which it reads from the ``*.dist-info`` folder's name where it can. Reading every
    distribution's metadata instead (the email parser, for each of a virtual environment's packages) cost
    a third of loading the plugins."""
    name = getattr(dist, "_normalized_name", None)
    return str(name) if isinstance(name, str) and name else _distribution_name(dist)


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


def _reserved_codes() -> Dict[str, type]:
    from nnlint.diagnostics import DIAGNOSTICS

    return DIAGNOSTICS


def _rule_base() -> Optional[type]:
    from nnlint.rule import Rule

    return Rule


def _probe_base() -> Optional[type]:
    from nnlint.api import probe_class

    return probe_class()


_BASES = {"nnlint_rules": _rule_base, "nnlint_probes": _probe_base}
# the docstring sections `nnlint explain` prints and the tests run (a probe's examples are fragments of a
# script, which only a dynamic run could check: their sections are optional)
REQUIRED_SECTIONS = {
    "nnlint_rules": ("What it does", "Why is this bad?", "Example", "Use instead"),
    "nnlint_probes": ("What it does", "Why is this bad?"),
}


def _documentation_problem(cls: type, hook_name: str) -> Optional[str]:
    """Why a rule or probe class cannot be listed and explained (None when it can)."""
    for attribute in ("name", "summary"):
        value = getattr(cls, attribute, "")
        if not isinstance(value, str) or not value.strip():
            return f'has no {attribute} (set the class attribute `{attribute} = "..."`)'
    try:
        sections = cls.sections()  # type: ignore[attr-defined]
    except Exception as error:  # a docstring that is not text
        return f"has a docstring nnlint cannot read: {describe(error)}"
    missing = [title for title in REQUIRED_SECTIONS[hook_name] if title not in sections]
    if missing:
        return (
            "lacks the documentation section(s) "
            + ", ".join(f"'## {title}'" for title in missing)
            + " in its docstring"
        )
    if hook_name == "nnlint_rules" and not (cls.wrong_examples() and cls.right_examples()):  # type: ignore[attr-defined]
        return "has no ```python block under '## Example' or '## Use instead'"
    return None


def _collect(
    manager: pluggy.PluginManager,
    hook_name: str,
    registry: Registry,
    target: Dict[str, Any],
    infos: Dict[str, PluginInfo],
) -> None:
    owners: Dict[str, str] = {code: name for name, info in infos.items() for code in info.codes}
    # built-in first, then plugins by name: a clash always keeps the built-in rule
    ordered = sorted(manager.list_name_plugin(), key=lambda item: (item[0] != BUILTIN_NAME, item[0]))
    implementations = {impl.plugin_name: impl.function for impl in getattr(manager.hook, hook_name).get_hookimpls()}
    for plugin_name, _plugin in ordered:
        impl = implementations.get(plugin_name)
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
            registry.errors.append(
                f"plugin {plugin_name!r}: {hook_name}() returned {type(classes).__name__}, not a list of classes; "
                "skipped"
            )
            continue
        for cls in classes:
            if not isinstance(cls, type):
                registry.errors.append(
                    f"plugin {plugin_name!r}: {hook_name}() returned a {type(cls).__name__} object, not a class "
                    "(return the class itself); skipped"
                )
                continue
            base = _BASES[hook_name]()
            if base is not None and not issubclass(cls, base):
                registry.errors.append(
                    f"plugin {plugin_name!r}: {hook_name}() returned {_describe(cls)}, which is not a subclass of "
                    f"nnlint.api.{base.__name__}; skipped"
                )
                continue
            code = getattr(cls, "code", "")
            if not code:
                registry.errors.append(f"plugin {plugin_name!r}: {cls!r} has no code; skipped")
                continue
            if not isinstance(code, str) or not CODE_PATTERN.match(code):
                registry.errors.append(
                    f"plugin {plugin_name!r}: {_describe(cls)} has code {code!r}, not letters then digits (like "
                    "NNX001); skipped"
                )
                continue
            # nnlint's own documentation is checked by its tests (tests/test_rule_examples.py), not at every start:
            # reading every docstring's sections cost two thirds of loading the registry
            undocumented = None if plugin_name == BUILTIN_NAME else _documentation_problem(cls, hook_name)
            if undocumented is not None:
                registry.errors.append(f"plugin {plugin_name!r}: {code} ({_describe(cls)}) {undocumented}; skipped")
                continue
            if code in _reserved_codes():
                registry.errors.append(
                    f"plugin {plugin_name!r}: code {code} of {_describe(cls)} is nnlint's own diagnostic; skipped"
                )
                continue
            other = owners.get(code)
            if other is not None and other != plugin_name and code not in target:  # a probe for another plugin's rule
                registry.errors.append(
                    f"plugin {plugin_name!r}: code {code} of {_describe(cls)} clashes with plugin {other!r}, which "
                    "provides that code; skipped"
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
            _note_module(infos[plugin_name], getattr(cls, "__module__", None))


def _note_module(info: PluginInfo, module_name: Optional[str]) -> None:
    top = (module_name or "").split(".")[0]
    if top and top not in info.modules:
        info.modules.append(top)


def plugin_files(info: PluginInfo) -> List[str]:
    """The source files of a plugin's top-level modules (a package's whole folder), sorted: what the
    findings cache stamps so that an edited plugin is linted afresh without a version bump."""
    found: List[str] = []
    for name in info.modules:
        module = sys.modules.get(name)
        folders = list(getattr(module, "__path__", None) or []) if module is not None else []
        if folders:
            for folder in folders:
                for root, dirs, files in os.walk(folder):
                    dirs[:] = sorted(d for d in dirs if d != "__pycache__")
                    found.extend(os.path.join(root, f) for f in sorted(files) if f.endswith(".py"))
        elif module is not None and getattr(module, "__file__", None):
            found.append(str(module.__file__))
    return sorted(set(found))


_CACHE: Dict[bool, Registry] = {}


def load_registry(load_entry_points: bool = True) -> Registry:
    """All rules and probes of all plugins, loaded once per process."""
    if load_entry_points in _CACHE:
        return _CACHE[load_entry_points]
    manager, versions, errors = plugin_manager(load_entry_points)
    registry = Registry(errors=list(errors))
    infos = {
        name: PluginInfo(name, version, distribution=_DISTRIBUTIONS.get(name, "?"))
        for name, version in versions.items()
    }
    for name, plugin in manager.list_name_plugin():
        if name in infos and name != BUILTIN_NAME:
            _note_module(
                infos[name],
                getattr(plugin, "__name__", None)
                if isinstance(plugin, type(sys))
                else getattr(plugin, "__module__", None),
            )
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
