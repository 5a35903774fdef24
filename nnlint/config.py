"""nnlint's configuration: `[tool.nnlint]` of the nearest pyproject.toml, or an nnlint.toml, validated key by key."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Type

from nnlint.limits import CONFIG_KEYS as LIMIT_KEYS
from nnlint.limits import DEFAULT_LIMITS, Limits, limits_from_table
from nnlint.options_schema import option_errors
from nnlint.path_patterns import PathPatterns

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on older Pythons only
    import tomli as tomllib

if TYPE_CHECKING:
    from nnlint.documented import Documented


class ConfigError(Exception):
    """Bad configuration: the message names the file and the key."""


_LIST_KEYS = ("select", "ignore", "extend-select", "extend-ignore", "exclude", "extend-exclude", "fixable", "unfixable")
_BOOL_KEYS = {
    "notebooks": "notebooks",
    "force-exclude": "force_exclude",
    "respect-gitignore": "respect_gitignore",
    "unsafe-fixes": "unsafe_fixes",
}
_KNOWN_KEYS = frozenset(_LIST_KEYS + ("per-file-ignores", "options", "dynamic") + tuple(_BOOL_KEYS) + tuple(LIMIT_KEYS))


@dataclass
class Config:
    select: List[str] = field(default_factory=lambda: ["NN"])
    ignore: List[str] = field(default_factory=list)
    extend_select: List[str] = field(default_factory=list)
    per_file_ignores: Dict[str, List[str]] = field(default_factory=dict)
    exclude: List[str] = field(default_factory=list)
    extend_exclude: List[str] = field(default_factory=list)  # added to exclude (--exclude replaces only exclude)
    force_exclude: bool = False  # excludes apply to the paths named on the command line too
    respect_gitignore: bool = True  # folder walks skip what .gitignore files ignore
    unsafe_fixes: bool = False  # --fix applies the fixes that are not marked safe too
    fixable: List[str] = field(default_factory=lambda: ["ALL"])  # codes whose fixes --fix applies
    unfixable: List[str] = field(default_factory=list)  # ... and those it never applies (the longer prefix wins)
    options: Dict[str, Dict[str, Any]] = field(default_factory=dict)  # per rule code or name, or plugin name
    dynamic: Dict[str, Any] = field(default_factory=dict)
    notebooks: bool = True  # lint the .ipynb files found in folders (named ones are always linted)
    plugin_options: Dict[str, Dict[str, Any]] = field(default_factory=dict)  # per code, from [tool.nnlint.<plugin>]
    limits: Limits = DEFAULT_LIMITS  # max-file-size, max-depth, file-timeout (nnlint.limits)
    root: Optional[Path] = None  # folder of the pyproject.toml the configuration came from
    source: Optional[Path] = None

    _matchers: Dict[str, Tuple[int, int, PathPatterns]] = field(default_factory=dict, repr=False, compare=False)
    _ignored_in: Dict[str, List[str]] = field(
        default_factory=dict, repr=False, compare=False
    )  # path -> its per-file ignores

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
        if not self.exclude and not self.extend_exclude:
            return False
        relative = self.relative(path)
        return any(
            bool(patterns) and self._matcher(key, patterns).matches(relative)
            for key, patterns in (("exclude", self.exclude), ("extend-exclude", self.extend_exclude))
        )

    def may_fix(self, finding: Any) -> bool:
        """Whether ``--fix`` applies this finding's fix: its tier (safe, or unsafe with ``unsafe-fixes``)
        and its code (``fixable`` over ``unfixable``, the longer prefix winning)."""
        fix = finding.fix
        if fix is None or not fix.edits or not (fix.safe or self.unsafe_fixes):
            return False
        return _longest_prefix(finding.code, self.fixable) > _longest_prefix(finding.code, self.unfixable)

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


CONFIG_FILES = (".nnlint.toml", "nnlint.toml")  # their keys are [tool.nnlint]'s, at the top level


def is_nnlint_toml(path: Path) -> bool:
    """Whether ``path`` is an nnlint.toml-style file (settings at the top level), not a pyproject.toml."""
    return path.name != "pyproject.toml" and path.suffix == ".toml"


def find_pyproject(start: Path) -> Optional[Path]:
    """The nearest configuration, from ``start`` upwards: in each folder ``.nnlint.toml``, then
    ``nnlint.toml``, then a pyproject.toml with a [tool.nnlint] table, as ruff looks for its own (a
    pyproject.toml that cannot be read or is malformed is returned too, so that load_config reports it)."""
    directory = start if start.is_dir() else start.parent
    directory = directory.absolute()
    for candidate_dir in (directory, *directory.parents):
        for name in CONFIG_FILES:
            if (candidate_dir / name).is_file():
                return candidate_dir / name
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


def load_config(path: Optional[Path], overrides: Sequence[Mapping[str, Any]] = ()) -> Config:
    """The configuration in ``path`` (a pyproject.toml's [tool.nnlint], or an nnlint.toml's top level;
    None: the defaults), with ``overrides`` (``--config KEY=VALUE`` tables) merged over it, key by key."""
    table = read_settings(path) if path is not None else {}
    for override in overrides:
        table = merge_tables(table, override)
    return config_from_table(table, path)


def read_settings(path: Path) -> Dict[str, Any]:
    """The raw nnlint table of a configuration file."""
    data = _read_toml(path)
    if is_nnlint_toml(path):
        return data
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: `tool` must be a table ([tool.nnlint]), not {type(tool).__name__}")
    return tool.get("nnlint", {})


def merge_tables(base: Any, override: Mapping[str, Any]) -> Dict[str, Any]:
    """``base`` with ``override`` on top; tables (``options.NN406``) are merged, other values replaced."""
    merged = dict(base) if isinstance(base, dict) else {}
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_tables(merged[key], value)
        else:
            merged[key] = value
    return merged


@dataclass(frozen=True)
class PluginSpec:
    """What configuration validation needs to know of one loaded plugin's rules and probes."""

    name: str
    checks: Sequence[Type[Documented]]  # Rule and Probe classes: code, name, default_options


def loaded_plugins() -> Dict[str, PluginSpec]:
    """The third-party plugins this process has loaded (nnlint's built-in plugin has no table of its own)."""
    from nnlint.registry import BUILTIN_NAME, load_registry

    registry = load_registry()
    specs: Dict[str, PluginSpec] = {}
    for info in registry.plugins:
        if info.name == BUILTIN_NAME:
            continue
        checks = [
            cls
            for code in info.codes
            for cls in (registry.rules.get(code), registry.probes.get(code))
            if cls is not None
        ]
        specs[info.name] = PluginSpec(info.name, checks)
    return specs


def _declared(cls: type) -> Dict[str, Any]:
    return dict(getattr(cls, "default_options", None) or {})


def _raise_first(errors: Sequence[str]) -> None:
    if errors:
        raise ConfigError(errors[0])


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
                raise ConfigError(
                    f"{where}{prefix}.{key}: unknown option {unknown[0]!r} (known: {', '.join(sorted(own)) or 'none'})"
                )
            _raise_first(option_errors([by_id[key]], item, f"{where}{prefix}.{key}"))
            per_rule.setdefault(by_id[key], {}).update(item)
        elif key in declared:
            for cls in spec.checks:
                if key in _declared(cls):
                    _raise_first(option_errors([cls], {key: item}, f"{where}{prefix}"))
            shared[key] = item
        elif isinstance(item, dict):
            raise ConfigError(f"{where}{prefix}.{key}: the {spec.name!r} plugin has no rule {key!r}")
        else:
            raise ConfigError(
                f"{where}{prefix}: unknown option {key!r} (known: {', '.join(sorted(declared)) or 'none'})"
            )
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
            raise ConfigError(
                f"{where}unknown key tool.nnlint.{key} (known: {', '.join(sorted(_KNOWN_KEYS))}{plugin_names})"
            )
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
            elif key == "exclude":
                config.exclude.extend(value)
            elif key in ("fixable", "unfixable"):
                setattr(config, key, list(value))
            else:
                config.extend_exclude.extend(value)
        elif key == "per-file-ignores":
            if not isinstance(value, dict) or not all(
                isinstance(codes, list) and all(isinstance(code, str) for code in codes) for codes in value.values()
            ):
                raise ConfigError(f"{where}tool.nnlint.per-file-ignores must map glob patterns to lists of codes")
            config.per_file_ignores = {str(pattern): list(codes) for pattern, codes in value.items()}
        elif key == "options":
            if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
                raise ConfigError(
                    f"{where}tool.nnlint.options must hold one table per rule, e.g. [tool.nnlint.options.NN406]"
                )
            config.options = {str(k): dict(v) for k, v in value.items()}
        elif key in _BOOL_KEYS:
            if not isinstance(value, bool):
                raise ConfigError(f"{where}tool.nnlint.{key} must be true or false")
            setattr(config, _BOOL_KEYS[key], value)
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
