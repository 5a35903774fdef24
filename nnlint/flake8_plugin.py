"""flake8 entry point (``NN``): ``flake8 --select NN`` runs nnlint's rules through the same engine.

flake8 decides what is selected, ignored and ``# noqa``-ed; nnlint contributes its findings and reads
its own rule options (``[tool.nnlint.options.*]``) from the nearest pyproject.toml. flake8 columns are
0-based (it adds 1 when printing), nnlint's are 1-based.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple, Type

from nnlint import __version__
from nnlint.config import Config, ConfigError, find_pyproject, load_config
from nnlint.options_schema import config_option_errors
from nnlint.registry import load_registry
from nnlint.engine import Linter

_STDIN_NAMES = frozenset({"stdin", "-", "<stdin>"})
_LINTERS: Dict[Optional[Path], Linter] = {}


def _linter_for(filename: str) -> Linter:
    start = Path(filename).resolve().parent if filename not in _STDIN_NAMES else Path.cwd()
    pyproject = find_pyproject(start)
    if pyproject not in _LINTERS:
        try:
            config = load_config(pyproject)
            if config_option_errors(config, load_registry()):
                raise ConfigError("bad rule options")  # as any bad configuration: nnlint's defaults
        except ConfigError:
            config = Config()
        # flake8's --select/--ignore/--per-file-ignores decide which codes are shown
        config.select, config.ignore, config.extend_select, config.per_file_ignores = ["NN"], [], [], {}
        _LINTERS[pyproject] = Linter(config)
    return _LINTERS[pyproject]


class Plugin:
    name = "nnlint"
    version = __version__

    def __init__(self, tree: ast.AST, filename: str, lines: List[str]) -> None:
        self.filename = filename
        self.lines = lines

    def run(self) -> Iterator[Tuple[int, int, str, Type["Plugin"]]]:
        path = "<stdin>" if self.filename in _STDIN_NAMES else self.filename
        for finding in _linter_for(self.filename).lint_source("".join(self.lines), path):
            yield finding.line, max(finding.column - 1, 0), f"{finding.code} {finding.message}", type(self)
