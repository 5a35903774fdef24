"""Command line: ``nnlint [OPTIONS] PATH...`` plus ``nnlint rules``, ``nnlint explain CODE``."""

from __future__ import annotations

import os
from typing import List

import click

from nnlint import __version__
from nnlint.cli_catalogue import explain, lsp, plugins, rules
from nnlint.cli_check import check
from nnlint.cli_output import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, fail  # noqa: F401  (the statuses, for callers)
from nnlint.dynamic.cli_support import split_script_args
from nnlint.interrupts import Terminated, exit_code, signal_name, signals_raise


class _DefaultCheckGroup(click.Group):
    """``nnlint PATH...`` means ``nnlint check PATH...``; ``nnlint rules`` etc. stay subcommands."""

    def parse_args(self, ctx: click.Context, args: List[str]) -> List[str]:
        args = split_script_args(ctx, args)  # after `--`: the --dynamic script's own arguments
        if args and args[0] in ("--version",):
            return super().parse_args(ctx, args)
        # a lone command word is the command even where a folder has its name (`nnlint plugins` in a
        # project with a plugins/ folder); `nnlint check plugins` or `nnlint plugins/` lints the folder
        lone_command = len(args) == 1 and args[0] in self.commands
        if not args or args[0] not in self.commands or (os.path.exists(args[0]) and not lone_command):
            if args[:1] in (["--help"], ["-h"]):
                return super().parse_args(ctx, args)
            args = ["check", *args]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> object:
        # Ctrl-C and terminating signals: clean up on the way out (finally blocks), then one line and 128 + N
        with signals_raise():
            try:
                return super().invoke(ctx)
            except (KeyboardInterrupt, Terminated) as error:
                what = (
                    "interrupted"
                    if isinstance(error, KeyboardInterrupt)
                    else f"terminated by {signal_name(error.signum)}"
                )
                click.echo(f"nnlint: {what}", err=True)
                raise click.exceptions.Exit(exit_code(error)) from None


@click.group(cls=_DefaultCheckGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="nnlint")
def main() -> None:
    """Find why a PyTorch network will not train.

    Run `nnlint PATH...` (same as `nnlint check PATH...`; `nnlint check --help` lists its options),
    `nnlint rules` for the catalogue, `nnlint explain CODE` for one rule's documentation,
    `nnlint plugins` for the installed plugins and their codes.
    """


for _command in (check, rules, plugins, lsp, explain):
    main.add_command(_command)
