"""``[tool.nnlint]`` configuration from the nearest pyproject.toml, validated key by key."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from nnlint.limits import CONFIG_KEYS as LIMIT_KEYS
from nnlint.limits import DEFAULT_LIMITS, Limits, limits_from_table
from nnlint.path_patterns import PathPatterns

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on older Pythons only
    import tomli as tomllib


class ConfigError(Exception):
    """Bad configuration: the message names the file and the key."""


_LIST_KEYS = ("select", "ignore", "extend-select", "extend-ignore", "exclude", "extend-exclude")
_KNOWN_KEYS = frozenset(_LIST_KEYS + ("per-file-ignores", "options", "dynamic", "notebooks") + tuple(LIMIT_KEYS))


@dataclass
class Config:
    select: List[str] = field(default_factory=lambda: ["NN"])
    ignore: List[str] = field(default_factory=list)
    extend_select: List[str] = field(default_factory=list)
    per_file_ignores: Dict[str, List[str]] = field(default_factory=dict)
    exclude: List[str] = field(default_factory=list)
    options: Dict[str, Dict[str, Any]] = field(default_factory=dict)  # per rule code or name, or plugin name
    dynamic: Dict[str, Any] = field(default_factory=dict)
    notebooks: bool = True  # lint the .ipynb files found in folders (named ones are always linted)
    plugin_options: Dict[str, Dict[str, Any]] = field(default_factory=dict)  # per code, from [tool.nnlint.<plugin>]
    limits: Limits = DEFAULT_LIMITS  # max-file-size, max-depth, file-timeout (nnlint.limits)
    root: Optional[Path] = None  # folder of the pyproject.toml the configuration came from
    source: Optional[Path] = None

    _matchers: Dict[str, Tuple[int, int, PathPatterns]] = field(default_factory=dict, repr=False, compare=False)
    _ignored_in: Dict[str, List[str]] = field(default_factory=dict, repr=False, compare=False)  # path -> its per-file ignores

    def is_enabled(self, code: str, path: Optional[str] = None) -> bool:
        selected = _longest_prefix(code, self.select + self.extend_select)
        ignored = _longest_prefix(code, self.ignore + self._file_ignores(path))
        return selected > ignored  # the more specific of select and ignore wins, as in ruff

    def _file_ignores(self, path: Optional[str]) -> List[str]:
        if path is None or not self.per_file_ignores:
            return []
        matcher = self._matcher("per-file-ignores", self.per_file_ignores)
        if len(self._ignored_in) > 100_000:
            self._ignored_in.clear()
        if path not in self._ignored_in:
            self._ignored_in[path] = sorted(matcher.codes_for(self.relative(path)) or ())
        return self._ignored_in[path]

    def _matcher(self, key: str, patterns: Any) -> PathPatterns:
        """The compiled form of a pattern table, rebuilt only when the table is replaced or resized."""
        kept = self._matchers.get(key)
        if kept is None or kept[:2] != (id(patterns), len(patterns)):
            table = patterns if isinstance(patterns, dict) else {pattern: () for pattern in patterns}
            kept = self._matchers[key] = (id(patterns), len(patterns), PathPatterns(table))
            self._ignored_in.clear()
        return kept[2]

    def relative(self, path: str) -> str:
        resolved = Path(path).absolute()
        if self.root is not None:
            try:
                return resolved.relative_to(self.root.absolute()).as_posix()
            except ValueError:
                pass
        return Path(path).as_posix()

    def is_excluded(self, path: str) -> bool:
        return bool(self.exclude) and self._matcher("exclude", self.exclude).matches(self.relative(path))

    def options_for(self, code: str, name: str) -> Dict[str, Any]:
        merged: Dict[str, Any] = dict(self.plugin_options.get(code, {}))
        merged.update(self.options.get(name, {}))
        merged.update(self.options.get(code, {}))
        return merged


def _longest_prefix(code: str, prefixes: Sequence[str]) -> int:
    """Length of the longest prefix in the list that the code starts with (ALL matches everything); -1 if none."""
    best = -1
    for prefix in prefixes:
        if prefix == "ALL":
            best = max(best, 0)
        elif code.startswith(prefix):
            best = max(best, len(prefix))
    return best


MAX_CONFIG_SIZE = 1_000_000  # bytes: a pyproject.toml is a few kilobytes; past this it is not one


def find_pyproject(start: Path) -> Optional[Path]:
    """The nearest pyproject.toml with a [tool.nnlint] table, from ``start`` upwards (one that cannot be
    read or is malformed is returned too, so that load_config reports it)."""
    directory = start if start.is_dir() else start.parent
    directory = directory.absolute()
    for candidate_dir in (directory, *directory.parents):
        candidate = candidate_dir / "pyproject.toml"
        if candidate.is_file():
            try:
                tool = _read_toml(candidate).get("tool", {})
            except ConfigError:
                return candidate
            if not isinstance(tool, dict) or "nnlint" in tool:
                return candidate
    return None


def _read_toml(path: Path) -> Dict[str, Any]:
    """A TOML file's data; ConfigError in one line for anything else (not a regular file, too large,
    undecodable, invalid or too deeply nested TOML)."""
    from nnlint.discovery import not_a_regular_file

    special = not_a_regular_file(str(path))
    if special is not None:
        raise ConfigError(f"{path}: cannot read: {special}")
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_CONFIG_SIZE + 1)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    if len(data) > MAX_CONFIG_SIZE:
        raise ConfigError(f"{path}: larger than {MAX_CONFIG_SIZE} bytes: not a configuration file")
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except (RecursionError, MemoryError):
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None


def load_config(path: Optional[Path]) -> Config:
    if path is None:
        return Config()
    data = _read_toml(path)
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: `tool` must be a table ([tool.nnlint]), not {type(tool).__name__}")
    return config_from_table(tool.get("nnlint", {}), path)


@dataclass(frozen=True)
class PluginSpec:
    """What configuration validation needs to know of one loaded plugin's rules and probes."""

    name: str
    checks: Sequence[type]  # Rule and Probe classes: code, name, default_options


def loaded_plugins() -> Dict[str, PluginSpec]:
    """The third-party plugins this process has loaded (nnlint's built-in plugin has no table of its own)."""
    from nnlint.registry import BUILTIN_NAME, load_registry

    registry = load_registry()
    specs: Dict[str, PluginSpec] = {}
    for info in registry.plugins:
        if info.name == BUILTIN_NAME:
            continue
        checks = [cls for code in info.codes for cls in (registry.rules.get(code), registry.probes.get(code)) if cls is not None]
        specs[info.name] = PluginSpec(info.name, checks)
    return specs


def _declared(cls: type) -> Dict[str, Any]:
    return dict(getattr(cls, "default_options", None) or {})


def _plugin_options(spec: PluginSpec, value: Any, where: str) -> Dict[str, Dict[str, Any]]:
    """Options per code from ``[tool.nnlint.<plugin>]``: plugin-wide keys (given to each rule that declares
    them), then the sub-tables ``[tool.nnlint.<plugin>.<CODE or name>]`` of single rules."""
    prefix = f"tool.nnlint.{spec.name}"
    if not isinstance(value, dict):
        raise ConfigError(f"{where}{prefix} must be a table (options of the {spec.name!r} plugin)")
    by_id = {ident: cls for cls in spec.checks for ident in (cls.code, getattr(cls, "name", "")) if ident}
    declared = {key for cls in spec.checks for key in _declared(cls)}
    shared: Dict[str, Any] = {}
    per_rule: Dict[type, Dict[str, Any]] = {}
    for key, item in value.items():
        if key in by_id and isinstance(item, dict):
            own = _declared(by_id[key])
            unknown = sorted(set(item) - set(own))
            if unknown:
                raise ConfigError(f"{where}{prefix}.{key}: unknown option {unknown[0]!r} (known: {', '.join(sorted(own)) or 'none'})")
            per_rule.setdefault(by_id[key], {}).update(item)
        elif key in declared:
            shared[key] = item
        elif isinstance(item, dict):
            raise ConfigError(f"{where}{prefix}.{key}: the {spec.name!r} plugin has no rule {key!r}")
        else:
            raise ConfigError(f"{where}{prefix}: unknown option {key!r} (known: {', '.join(sorted(declared)) or 'none'})")
    per_code: Dict[str, Dict[str, Any]] = {}
    for cls in spec.checks:
        merged = {key: item for key, item in shared.items() if key in _declared(cls)}
        merged.update(per_rule.get(cls, {}))
        if merged:
            per_code[cls.code] = merged
    return per_code


def config_from_table(
    table: Any,
    path: Optional[Path] = None,
    plugins: Optional[Callable[[], Mapping[str, PluginSpec]]] = loaded_plugins,
) -> Config:
    """Validate ``[tool.nnlint]``. A key that is not a setting must name a loaded plugin (``plugins()``,
    asked only when such a key appears) whose options table it is."""
    where = f"{path}: " if path is not None else ""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}[tool.nnlint] must be a table")
    config = Config(root=path.parent if path is not None else None, source=path)
    try:
        config.limits = limits_from_table(table, where)
    except ValueError as error:
        raise ConfigError(str(error)) from None
    for key, value in table.items():
        if key not in _KNOWN_KEYS:
            specs = plugins() if plugins is not None else {}
            if key in specs:
                config.plugin_options.update(_plugin_options(specs[key], value, where))
                continue
            plugin_names = f"; installed plugins: {', '.join(sorted(specs))}" if specs else ""
            raise ConfigError(f"{where}unknown key tool.nnlint.{key} (known: {', '.join(sorted(_KNOWN_KEYS))}{plugin_names})")
        if key in LIMIT_KEYS:
            continue  # read above
        if key in _LIST_KEYS:
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                raise ConfigError(f"{where}tool.nnlint.{key} must be a list of strings")
            if key == "select":
                config.select = list(value)
            elif key in ("ignore", "extend-ignore"):
                config.ignore.extend(value)
            elif key == "extend-select":
                config.extend_select.extend(value)
            else:
                config.exclude.extend(value)
        elif key == "per-file-ignores":
            if not isinstance(value, dict) or not all(
                isinstance(codes, list) and all(isinstance(code, str) for code in codes) for codes in value.values()
            ):
                raise ConfigError(f"{where}tool.nnlint.per-file-ignores must map glob patterns to lists of codes")
            config.per_file_ignores = {str(pattern): list(codes) for pattern, codes in value.items()}
        elif key == "options":
            if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
                raise ConfigError(f"{where}tool.nnlint.options must hold one table per rule, e.g. [tool.nnlint.options.NN406]")
            config.options = {str(k): dict(v) for k, v in value.items()}
        elif key == "notebooks":
            if not isinstance(value, bool):
                raise ConfigError(f"{where}tool.nnlint.notebooks must be true or false")
            config.notebooks = value
        elif key == "dynamic":
            config.dynamic = dynamic_settings(value, where)
    return config


_DYNAMIC_CHOICES = {"device": ("auto", "cpu", "cuda"), "launcher": ("none", "torchrun")}


def dynamic_settings(value: Any, where: str = "") -> Dict[str, Any]:
    """``[tool.nnlint.dynamic]``, checked key by key as the matching command-line options are."""
    if not isinstance(value, dict):
        raise ConfigError(f"{where}tool.nnlint.dynamic must be a table")
    known = ("args", "device", "experiment-steps", "experiments", "launcher", "nproc-per-node", "python", "timeout")
    for key, item in value.items():
        name = f"{where}tool.nnlint.dynamic.{key}"
        if key not in known:
            raise ConfigError(f"{where}unknown key tool.nnlint.dynamic.{key} (known: {', '.join(known)})")
        if key in _DYNAMIC_CHOICES and item not in _DYNAMIC_CHOICES[key]:
            raise ConfigError(f"{name} must be one of {', '.join(map(repr, _DYNAMIC_CHOICES[key]))}, not {item!r}")
        if key == "timeout" and (isinstance(item, bool) or not isinstance(item, (int, float)) or not item >= 1):
            raise ConfigError(f"{name} must be a number of seconds, 1 or more, not {item!r}")
        if key == "experiments" and not isinstance(item, bool):
            raise ConfigError(f"{name} must be true or false, not {item!r}")
        if key == "experiment-steps" and (isinstance(item, bool) or not isinstance(item, int) or item < 1):
            raise ConfigError(f"{name} must be a whole number, 1 or more, not {item!r}")
        if key == "nproc-per-node" and (isinstance(item, bool) or not isinstance(item, int) or item < 1):
            raise ConfigError(f"{name} must be a whole number, 1 or more, not {item!r}")
        if key == "args" and (not isinstance(item, list) or not all(isinstance(arg, str) for arg in item)):
            raise ConfigError(f"{name} must be a list of strings (the script's arguments), not {item!r}")
        if key == "python" and not isinstance(item, str):
            raise ConfigError(f"{name} must be a string (a path to an interpreter), not {item!r}")
    return dict(value)
