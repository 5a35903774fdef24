"""Start-up cost: commands that parse nothing must not import libcst (two thirds of a bare start-up), and
``nnlint --version`` imports neither the command line (click) nor the plugin machinery (pluggy,
``importlib.metadata``): it costs about a bare interpreter's start-up."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import List

from click.testing import CliRunner

from nnlint import __version__
from nnlint.cli import main as cli_main
from nnlint.start import version_line

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("libcst", "click", "pluggy", "importlib.metadata", "nnlint.cli", "nnlint.registry", "nnlint.engine")

_REPORT = """
heavy = {heavy!r}
print("LOADED:" + ",".join(name for name in heavy if name in sys.modules))
"""
# `python -m nnlint ARGS`, as the bench and the README run it
_MODULE_PROBE = """
import runpy, sys
sys.argv = ["nnlint", *sys.argv[1:]]
try:
    runpy.run_module("nnlint", run_name="__main__")
except SystemExit:
    pass
""" + _REPORT.format(heavy=HEAVY)
# the console script pip writes for `[project.scripts] nnlint = "nnlint.start:main"`
_SCRIPT_PROBE = """
import sys
from nnlint.start import main
try:
    sys.exit(main())
except SystemExit:
    pass
""" + _REPORT.format(heavy=HEAVY)


def _run(probe: str, *args: str, cwd: Path = REPO / "tests") -> List[str]:
    result = subprocess.run(
        [sys.executable, "-c", probe, *args],
        cwd=str(cwd),
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    return result.stdout.splitlines()


def _loaded(lines: List[str]) -> List[str]:
    assert lines and lines[-1].startswith("LOADED:"), lines
    return [name for name in lines[-1][len("LOADED:") :].split(",") if name]


def test_version_imports_neither_libcst_nor_the_command_line() -> None:
    for probe in (_MODULE_PROBE, _SCRIPT_PROBE):
        out = _run(probe, "--version")
        assert out[0] == f"nnlint, version {__version__}"
        assert _loaded(out) == []


def test_the_fast_version_line_is_what_the_command_line_prints() -> None:
    result = CliRunner().invoke(cli_main, ["--version"])
    assert result.exit_code == 0
    assert result.output == version_line() == f"nnlint, version {__version__}\n"


def test_other_arguments_go_to_the_command_line() -> None:
    # `--version` with anything else is click's to parse (an unknown option is an error, exit 2)
    result = subprocess.run(
        [sys.executable, "-m", "nnlint", "--version", "--bogus"],
        cwd=str(REPO / "tests"),
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2
    assert "No such option '--bogus'" in result.stderr
    assert "click" in _loaded(_run(_MODULE_PROBE, "rules"))


def test_the_console_script_is_the_fast_entry_point() -> None:
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["nnlint"] == "nnlint.start:main"


def test_linting_a_file_does_import_libcst(tmp_path: Path) -> None:
    # the probe itself is sound: a run that parses a file does load libcst
    script = tmp_path / "train.py"
    script.write_text("import torch\nx = torch.zeros(3)\n")
    assert "libcst" in _loaded(_run(_MODULE_PROBE, "check", "--no-cache", str(script)))


def test_linting_a_python_file_imports_no_notebook_machinery_and_every_lazy_name_resolves(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text("import torch\nx = torch.zeros(3)\n")
    probe = _MODULE_PROBE.replace(repr(HEAVY), repr(("libcst", "nnlint.notebooks.program", "nnlint.notebooks.magics")))
    assert _loaded(_run(probe, "check", "--no-cache", str(script))) == ["libcst"]
    import nnlint.notebooks as notebooks
    from nnlint.notebooks import program, reader

    assert sorted(notebooks.__all__) == sorted(notebooks._MODULES)
    for name, module in notebooks._MODULES.items():
        assert getattr(notebooks, name) is getattr({"program": program, "reader": reader}[module], name)
