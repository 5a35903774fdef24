"""Where a ``check`` run's configuration comes from: the nearest configuration file (or ``--config FILE``),
``--config KEY=VALUE`` overrides, ``--isolated``; and ``--show-settings`` to print the result."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import click

from nnlint.config import Config, ConfigError, config_from_table, find_pyproject, load_config

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on older Pythons only
    import tomli as tomllib


def config_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--config``, ``--isolated``, ``--show-settings``, ``--show-files``, ``-q``, ``-v``."""
    decorators = [
        click.option(
            "--config",
            "config_args",
            multiple=True,
            metavar="FILE | KEY=VALUE",
            help="A configuration file to read instead of the nearest one (pyproject.toml or nnlint.toml), "
            "or a setting that overrides it, in TOML: --config 'ignore = [\"NN401\"]'. Repeatable.",
        ),
        click.option("--isolated", is_flag=True, help="Read no configuration file (--config KEY=VALUE still applies)."),
        click.option("--show-settings", is_flag=True, help="Print the settings this run would use, then exit."),
        click.option("--show-files", is_flag=True, help="Print the files this run would lint, then exit."),
        click.option(
            "--quiet", "-q", is_flag=True, help="Print the report and errors only: no notes, warnings or summaries."
        ),
        click.option(
            "--verbose", "-v", is_flag=True, help="Also say on stderr which configuration is used and each file linted."
        ),
    ]
    for decorate in reversed(decorators):
        command = decorate(command)
    return command


def split_config_args(args: Sequence[str]) -> Tuple[Optional[Path], List[Dict[str, Any]]]:
    """The ``--config`` values: at most one file, and the ``KEY = VALUE`` overrides, each a parsed table.
    ConfigError (one line) for a value that is neither."""
    files: List[Path] = []
    overrides: List[Dict[str, Any]] = []
    for arg in args:
        if Path(arg).is_file() or "=" not in arg:
            if not Path(arg).exists():
                raise ConfigError(f"--config {arg!r}: no such file (or, for a setting, write KEY = VALUE in TOML)")
            files.append(Path(arg))
            continue
        try:
            table = tomllib.loads(arg)
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"--config {arg!r}: not a file, nor a KEY = VALUE setting in TOML ({error})") from None
        try:
            config_from_table(table, None)  # each setting checked on its own, so the message names it
        except ConfigError as error:
            raise ConfigError(f"--config {arg!r}: {error}") from None
        overrides.append(table)
    if len(files) > 1:
        raise ConfigError(f"--config: one configuration file at most (given: {', '.join(map(str, files))})")
    return (files[0] if files else None), overrides


def load_run_config(config_args: Sequence[str], isolated: bool, paths: Sequence[str]) -> Config:
    """The run's configuration: the file given or found from the first path (none with ``isolated``),
    with the ``--config`` overrides on top."""
    config_file, overrides = split_config_args(config_args)
    if isolated and config_file is not None:
        raise ConfigError(f"--isolated reads no configuration file, but --config {config_file} names one")
    if config_file is None and not isolated:
        start = Path(paths[0]) if paths and paths[0] != "-" else Path.cwd()
        config_file = find_pyproject(start if start.exists() else Path.cwd())
    return load_config(config_file, overrides)


def show_settings(config: Config, rules: Sequence[str]) -> str:
    """The resolved settings, one ``key = value`` line each (TOML values), for ``--show-settings``."""
    lines = [
        ("config-file", str(config.source) if config.source is not None else None),
        ("root", str(config.root) if config.root is not None else None),
        ("select", config.select),
        ("extend-select", config.extend_select),
        ("ignore", config.ignore),
        ("per-file-ignores", config.per_file_ignores),
        ("exclude", config.exclude),
        ("extend-exclude", config.extend_exclude),
        ("force-exclude", config.force_exclude),
        ("respect-gitignore", config.respect_gitignore),
        ("notebooks", config.notebooks),
        ("max-file-size", config.limits.max_file_size),
        ("max-depth", config.limits.max_depth),
        ("file-timeout", config.limits.file_timeout),
        ("rule-timeout", config.limits.rule_timeout),
        ("options", config.options),
        ("dynamic", config.dynamic),
        ("enabled-rules", list(rules)),
    ]
    return "".join(f"# {key}: none\n" if value is None else f"{key} = {_toml(value)}\n" for key, value in lines)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml(str(k))} = {_toml(v)}" for k, v in value.items()) + " }" if value else "{}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    return _toml(str(value))


class Messages:
    """What a run says on stderr besides its report and errors: ``-q`` silences warnings, notes, progress
    and summaries; ``-v`` adds the configuration used, each file linted and a closing count."""

    def __init__(self, quiet: bool = False, verbose: bool = False) -> None:
        self.quiet = quiet
        self.loud = verbose and not quiet
        self.linted = 0
        self.started = time.monotonic()

    def _say(self, text: str) -> None:
        click.echo(f"nnlint: {text}", err=True)

    def warning(self, message: str) -> None:
        if not self.quiet:
            self._say(f"warning: {message}")

    def note(self, message: str) -> None:
        if not self.quiet:
            self._say(f"note: {message}")

    def summary(self, message: str) -> None:
        if not self.quiet:
            self._say(message)

    def verbose(self, message: str) -> None:
        if self.loud:
            self._say(message)

    def progress(self, progress: Any) -> Any:
        """The per-file callback: the terminal progress line, one ``checked PATH`` line each (``-v``), or none
        (``-q``)."""
        if self.quiet or self.loud:
            return _Lines(self)
        return progress

    def done(self) -> None:
        self.verbose(f"{self.linted} file(s) linted in {time.monotonic() - self.started:.2f} s")


class _Lines:
    def __init__(self, messages: Messages) -> None:
        self.messages = messages

    def __call__(self, done: int, total: int, path: str) -> None:
        self.messages.linted += 1
        self.messages.verbose(f"checked {path}")

    def close(self) -> None:
        pass
