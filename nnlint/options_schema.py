"""Rule and probe options: each declares its options with a type, and every configured value is checked.

A check's ``default_options`` names its options and their defaults; ``option_types`` gives the type of
any option whose default does not say it (a table, a list, ``None``) or that should be stricter. The
type of the others follows from the default: ``True`` a boolean, ``3`` a whole number, ``2.0`` a number
(a whole one is accepted), ``"x"`` a string, ``["a"]`` a list of strings. A wrong option in
``[tool.nnlint.options.CODE]`` (unknown code or name, unknown key, wrong type) is one line naming the
file, the table and the key: exit 2 on the command line, a message in the editor, an error in the
testing helpers, never a crash of the rule on every file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple


@dataclass(frozen=True)
class OptionType:
    """A type an option's value must have: ``accepts(value)`` and its name in messages (``a number``)."""

    description: str
    accepts: Callable[[Any], bool]

    def __str__(self) -> str:
        return self.description


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


NUMBER = OptionType("a number", _is_number)
INTEGER = OptionType("a whole number", lambda value: isinstance(value, int) and not isinstance(value, bool))
BOOLEAN = OptionType("true or false", lambda value: isinstance(value, bool))
STRING = OptionType("a string", lambda value: isinstance(value, str))
ANY = OptionType("any value", lambda value: True)


def list_of(item: OptionType) -> OptionType:
    return OptionType(
        f"a list of {_plural(item)}", lambda value: isinstance(value, list) and all(item.accepts(v) for v in value)
    )


def table_of(item: OptionType) -> OptionType:
    """A table (``{SGD = 5.0}``) whose keys are strings and whose values are each ``item``."""
    return OptionType(
        f"a table of {_plural(item)}",
        lambda value: isinstance(value, dict) and all(isinstance(k, str) and item.accepts(v) for k, v in value.items()),
    )


def _plural(item: OptionType) -> str:
    text = item.description
    for article in ("a ", "an "):
        if text.startswith(article):
            return text[len(article) :] + "s" if not text.endswith("s") else text[len(article) :]
    return text


def inferred_type(default: Any) -> Optional[OptionType]:
    """The type a default value declares, or None where it says too little (a table, a mixed list, None)."""
    if isinstance(default, bool):
        return BOOLEAN
    if isinstance(default, int):
        return INTEGER
    if isinstance(default, float):
        return NUMBER
    if isinstance(default, str):
        return STRING
    if isinstance(default, list) and all(isinstance(item, str) for item in default):
        return list_of(STRING)
    return None


def schema_of(cls: type) -> Dict[str, OptionType]:
    """Every option ``cls`` declares, with its type; ``ANY`` for one whose type it leaves unsaid."""
    declared: Mapping[str, OptionType] = getattr(cls, "option_types", None) or {}
    defaults: Mapping[str, Any] = getattr(cls, "default_options", None) or {}
    schema = {key: inferred_type(value) or ANY for key, value in defaults.items()}
    schema.update(declared)
    return schema


def option_errors(owners: Sequence[type], values: Mapping[str, Any], where: str) -> List[str]:
    """One line per wrong key of ``values``, an options table of the checks ``owners`` (a rule and the
    probe that share its code): an unknown key, or a value of the wrong type. ``where`` names the table."""
    schema: Dict[str, OptionType] = {}
    for cls in owners:
        schema.update(schema_of(cls))
    errors = []
    for key, value in values.items():
        kind = schema.get(key)
        if kind is None:
            known = ", ".join(sorted(schema)) or "none: this check has no options"
            errors.append(f"{where}: unknown option {key!r} (known: {known})")
        elif not kind.accepts(value):
            errors.append(f"{where}.{key} must be {kind}, not {value!r}")
    return errors


def _owners(identifier: str, checks: Iterable[type]) -> List[type]:
    return [cls for cls in checks if identifier in (getattr(cls, "code", None), getattr(cls, "name", None))]


def configured_option_errors(
    options: Mapping[str, Mapping[str, Any]],
    checks: Iterable[type],
    core: Mapping[str, type] = {},
    source: Optional[object] = None,
) -> List[str]:
    """The errors of ``[tool.nnlint.options]``: each table must name a loaded rule or probe (by code or
    name) and hold only its options, each of its type. ``core`` are nnlint's own diagnostics (no options);
    ``source`` the file the options came from, named in each line."""
    checks = list(checks)
    prefix = f"{source}: " if source is not None else ""
    errors = []
    for identifier, values in options.items():
        where = f"{prefix}tool.nnlint.options.{identifier}"
        owners = _owners(identifier, checks) or _owners(identifier, core.values())
        if not owners:
            errors.append(f"{where}: unknown rule code or name {identifier!r} (see `nnlint rules`)")
            continue
        errors.extend(option_errors(owners, values, where))
    return errors


def registry_checks(registry: Any) -> Tuple[List[type], Dict[str, type]]:
    """The rules and probes of a registry, and nnlint's own diagnostics."""
    from nnlint.diagnostics import DIAGNOSTICS

    return [*registry.rules.values(), *registry.probes.values()], dict(DIAGNOSTICS)


def config_option_errors(config: Any, registry: Any) -> List[str]:
    """The errors of a loaded configuration's per-rule options, against the rules and probes loaded."""
    checks, core = registry_checks(registry)
    return configured_option_errors(config.options, checks, core, config.source)


class OptionError(ValueError):
    """Options given to a check that it does not declare, or of the wrong type."""


def check_given_options(cls: type, options: Optional[Mapping[str, Any]]) -> None:
    """Raise OptionError (all the problems, one per line) when ``options`` does not fit ``cls``'s declaration."""
    if options:
        errors = option_errors([cls], options, f"options of {getattr(cls, 'code', '') or cls.__name__}")
        if errors:
            raise OptionError("\n".join(errors))
