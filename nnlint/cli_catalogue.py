"""The catalogue commands: ``nnlint rules``, ``nnlint plugins``, ``nnlint explain CODE``, and ``nnlint lsp``."""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Type

import click

from nnlint.cli_output import (
    fail,
)
from nnlint.diagnostics import DIAGNOSTICS
from nnlint.options_schema import schema_of

if TYPE_CHECKING:
    from nnlint.documented import Documented


@click.command()
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(output_format: str) -> None:
    """List every rule and runtime probe: code, name, kind, one-line summary (json: and options, documentation)."""
    import json

    from nnlint.registry import load_registry

    registry = load_registry()
    entries = {**DIAGNOSTICS, **registry.probes, **registry.rules}
    records = []
    for code in sorted(entries):
        cls = entries[code]
        kind = "static" if code in registry.rules else ("dynamic" if code in registry.probes else "core")
        if kind == "dynamic" and code.startswith("NN9"):
            kind = "experiment"  # --experiments
        if code in registry.rules and code in registry.probes:
            kind = "static+dynamic"
        if output_format == "text":
            click.echo(f"{code}  {cls.name:<36} {kind:<15} {cls.summary}")
            continue
        owners: List[Type["Documented"]] = [
            c for c in (registry.rules.get(code), registry.probes.get(code)) if c is not None
        ] or [cls]
        options = {
            key: {"default": value, "type": str(schema_of(owner)[key])}
            for owner in owners
            for key, value in (owner.default_options or {}).items()
        }
        records.append(
            {
                "code": code,
                "name": cls.name,
                "kind": kind,
                "summary": cls.summary,
                "options": options,
                "documentation": cls.documentation(),
            }
        )
    if output_format == "json":
        click.echo(json.dumps(records, indent=2))


@click.command()
def plugins() -> None:
    """List the loaded plugins: name, distribution, version, and the codes each provides."""
    from nnlint.registry import BUILTIN_NAME, load_registry

    registry = load_registry()
    for info in registry.plugins:
        source = "built-in" if info.name == BUILTIN_NAME else info.distribution
        codes = ", ".join(info.codes) if info.codes else "(no rules or probes)"
        click.echo(f"{info.name:<16} {source} {info.version}: {codes}")
    for message in registry.errors:
        click.echo(f"nnlint: warning: {message}", err=True)


@click.command()
def lsp() -> None:
    """Run the language server on stdin/stdout, for editors (needs `pip install 'nnlint[lsp]'`)."""
    try:
        from nnlint.lsp import serve
    except ImportError as error:
        raise fail(f"the language server needs pygls and lsprotocol: pip install 'nnlint[lsp]' ({error})") from None
    serve()


@click.command()
@click.argument("code")
def explain(code: str) -> None:
    """Print the documentation of one rule (by code or name)."""
    from nnlint.registry import load_registry

    registry = load_registry()
    entries = {**DIAGNOSTICS, **registry.probes, **registry.rules}
    wanted = code.strip().upper()
    cls = entries.get(wanted) or next((c for c in entries.values() if c.name == code.strip().lower()), None)
    if cls is None:
        raise fail(f"unknown rule {code!r} (see `nnlint rules`)")
    click.echo(f"{cls.code} {cls.name}\n\n{cls.summary}\n\n{cls.documentation()}")
    probe = registry.probes.get(cls.code)
    if probe is not None and probe is not cls:
        click.echo("\n" + _run_time_section(probe))


def _run_time_section(probe: Type["Documented"]) -> str:
    """The probe's documentation under one ``## At run time`` heading, its own sections renamed so that
    no heading repeats the static rule's (``### Example (at run time)``)."""
    sections = probe.sections()
    if not sections:
        return f"## At run time (`--dynamic`)\n\n{probe.documentation()}"
    parts = ["## At run time (`--dynamic`)", sections.pop("What it does", "")]
    parts.extend(f"### {title} (at run time)\n\n{body}" for title, body in sections.items())
    return "\n\n".join(part for part in parts if part)
