"""The plugin packages in plugins/, built and installed into a fresh virtual environment with nnlint
itself, fire through their entry points; a broken and a clashing plugin are reported and skipped.

One venv for the module (~20 s to build; ~1 min for the module on two busy cores). It is made without pip and gets only
nnlint's dependencies (libcst, pluggy, click and what they need) linked in from the running environment, plus pip and
setuptools to build and install: no network, and nothing else of this environment is visible, so
the entry points found there are exactly the ones installed by this test.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import venv
from importlib import metadata
from pathlib import Path
from typing import Dict, Iterable, List, Set

import pytest

from tests.corpus_headers import read_expectation
from tests.plugins.guide import sample_and_output

REPO = Path(__file__).resolve().parents[2]
PLUGINS = REPO / "plugins"
pytestmark = pytest.mark.slow

_COPY_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist", ".pytest_cache")
_RUNTIME_REQUIREMENTS = ("libcst", "pluggy", "click")  # nnlint's [project.dependencies] on Python 3.11+


# ------------------------------------------------------------------------------- environment
def _dependency_closure(names: Iterable[str]) -> Set[str]:
    """Installed distributions the given ones need (extras and requirements for other platforms left out)."""
    try:
        from packaging.requirements import Requirement
    except ImportError:  # pragma: no cover - pip always vendors it
        from pip._vendor.packaging.requirements import Requirement  # type: ignore[no-redef]
    seen: Set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        key = name.lower().replace("_", "-")
        if key in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen.add(key)
        for text in dist.requires or []:
            requirement = Requirement(text)
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
                continue
            todo.append(requirement.name)
    return seen


def _link_distribution(name: str, site_packages: Path) -> None:
    """Symlink an installed distribution's top-level files (packages, modules, dist-info) into a venv."""
    dist = metadata.distribution(name)
    tops = {Path(str(f)).parts[0] for f in dist.files or [] if not str(f).startswith("..")}
    base = Path(str(dist.locate_file("")))
    for top in tops:
        source = base / top
        target = site_packages / top
        if source.exists() and not target.exists() and top != "__pycache__":
            target.symlink_to(source, target_is_directory=source.is_dir())


def _can_build_offline() -> bool:
    """setuptools that builds wheels by itself (>= 70.1) or with the wheel package."""
    try:
        version = metadata.version("setuptools")
    except metadata.PackageNotFoundError:
        return False
    major, minor = (int(part) for part in re.findall(r"\d+", version)[:2])
    return (major, minor) >= (70, 1) or importlib.util.find_spec("wheel") is not None


def _write_fixture_plugin(root: Path) -> Path:
    """A package with two bad plugins: one raises on import, one reuses codes taken by others."""
    package = root / "nnlint-fixture-bad"
    source = package / "src" / "nnlint_fixture_bad"
    source.mkdir(parents=True)
    (package / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [build-system]
            requires = ["setuptools>=61"]
            build-backend = "setuptools.build_meta"

            [project]
            name = "nnlint-fixture-bad"
            version = "0.0.1"
            dependencies = ["nnlint"]

            [project.entry-points.nnlint]
            broken = "nnlint_fixture_bad.raises"
            zz-clashing = "nnlint_fixture_bad.clashing"

            [tool.setuptools.packages.find]
            where = ["src"]
            """
        )
    )
    (source / "__init__.py").write_text("")
    (source / "raises.py").write_text('raise RuntimeError("this plugin is broken on purpose")\n')
    (source / "clashing.py").write_text(
        textwrap.dedent(
            '''
            from nnlint.api import Rule, hookimpl


            class TakesExampleCode(Rule):
                """## What it does
                Clashes.

                ## Why is this bad?
                Two plugins cannot own one code.

                ## Example
                ```python
                x = 1
                ```

                ## Use instead
                ```python
                x = 2
                ```
                """

                code = "NNX001"
                name = "takes-example-code"
                summary = "clashes with nnlint-example"

                def check(self, ctx):
                    ctx.report(ctx.module, "must never run")


            class TakesBuiltinCode(TakesExampleCode):
                __doc__ = TakesExampleCode.__doc__
                code = "NN201"
                name = "takes-builtin-code"


            @hookimpl
            def nnlint_rules():
                return [TakesExampleCode, TakesBuiltinCode]
            '''
        )
    )
    return package


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Path]:
    root = tmp_path_factory.mktemp("plugin-venv")
    sources = root / "src"
    shutil.copytree(REPO / "nnlint", sources / "nnlint" / "nnlint", ignore=_COPY_IGNORE)
    for name in ("pyproject.toml", "README.md"):
        if (REPO / name).exists():
            shutil.copy2(REPO / name, sources / "nnlint" / name)
    for plugin in ("nnlint-lightning", "nnlint-example"):
        shutil.copytree(PLUGINS / plugin, sources / plugin, ignore=_COPY_IGNORE)
    fixture = _write_fixture_plugin(sources)

    env_dir = root / "venv"
    venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(env_dir)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site_packages = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    offline = _can_build_offline()
    needed = _dependency_closure(_RUNTIME_REQUIREMENTS) | {"pip"} | ({"setuptools"} if offline else set())
    for name in sorted(needed):
        _link_distribution(name, site_packages)

    install = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    install += ["--no-index", "--no-build-isolation"] if offline else []
    targets = [sources / "nnlint", sources / "nnlint-lightning", sources / "nnlint-example", fixture]
    result = subprocess.run([*install, *map(str, targets)], capture_output=True, text=True, timeout=300, cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr

    project = root / "project"
    shutil.copytree(PLUGINS / "nnlint-lightning" / "corpus", project / "lightning", ignore=_COPY_IGNORE)
    return {"root": root, "python": python, "bin": python.parent, "project": project, "site": site_packages}


_SUBCOMMANDS = ("plugins", "rules", "explain")


def nnlint(
    env: Dict[str, Path], *args: str, cwd: Path = None, strict: bool = False
) -> "subprocess.CompletedProcess[str]":
    """``nnlint ARGS`` in the venv; a lint goes on past the fixture's broken plugins unless ``strict``."""
    lenient = [] if strict or (args and args[0] in _SUBCOMMANDS) else ["--ignore-plugin-errors"]
    command = [str(env["bin"] / "nnlint"), *lenient, *args]
    clean_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return subprocess.run(
        command, capture_output=True, text=True, timeout=120, cwd=cwd or env["project"], env=clean_env
    )


def _warnings(stderr: str) -> List[str]:
    return [line for line in stderr.splitlines() if line.startswith("nnlint: warning:")]


# ------------------------------------------------------------------------------------ tests
def test_everything_is_installed_in_the_venv_not_borrowed(environment: Dict[str, Path]) -> None:
    code = (
        "import nnlint, nnlint_lightning, nnlint_example; print(nnlint.__file__); "
        "print(nnlint_lightning.__file__); print(nnlint_example.__file__)"
    )
    result = subprocess.run(
        [str(environment["python"]), "-c", code], capture_output=True, text=True, check=True, cwd=environment["root"]
    )
    for line in result.stdout.splitlines():
        assert line.startswith(str(environment["site"])), line


def test_plugins_command_lists_plugins_codes_and_problems(environment: Dict[str, Path]) -> None:
    result = nnlint(environment, "plugins")
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert lines["lightning"].split(None, 1)[1] == "nnlint-lightning 0.1.0: NNL101, NNL102, NNL103, NNL104"
    assert lines["example"].split(None, 1)[1] == "nnlint-example 0.1.0: NNX001, NNX002"
    assert "built-in" in lines["nnlint"] and "NN201" in lines["nnlint"]
    assert "broken" not in lines
    assert lines["zz-clashing"].endswith(": (no rules or probes)")
    warnings = _warnings(result.stderr)
    assert len(warnings) == 3, result.stderr
    assert any("plugin 'broken' failed to load: RuntimeError: this plugin is broken on purpose" in w for w in warnings)
    assert any(
        "code NNX001 of nnlint_fixture_bad.clashing.TakesExampleCode clashes with "
        "nnlint_example.rules.WholeModelSave from plugin 'example'" in w
        for w in warnings
    )
    assert any(
        "code NN201 of nnlint_fixture_bad.clashing.TakesBuiltinCode clashes with" in w and "from plugin 'nnlint'" in w
        for w in warnings
    )


def test_broken_plugins_stop_a_lint_without_the_flag(environment: Dict[str, Path]) -> None:
    result = nnlint(environment, "lightning", strict=True)
    assert result.returncode == 2 and result.stdout == "", result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("nnlint: error:")]
    assert len(errors) == 3 and all(line.endswith("(--ignore-plugin-errors to run without it)") for line in errors), (
        result.stderr
    )
    assert any(
        "plugin 'broken' failed to load: RuntimeError: this plugin is broken on purpose" in line for line in errors
    )


def test_lightning_rules_fire_through_the_entry_point(environment: Dict[str, Path]) -> None:
    result = nnlint(environment, "--format", "json", "lightning")
    assert result.returncode == 1, result.stderr
    assert len(_warnings(result.stderr)) == 3  # the broken plugins are reported; the run went on
    reported: Dict[str, List[str]] = {}
    for record in json.loads(result.stdout):
        reported.setdefault(Path(record["path"]).name, []).append(record["code"])
    for script in sorted((environment["project"] / "lightning").glob("*.py")):
        expected = read_expectation(script).static
        assert sorted(reported.get(script.name, [])) == expected, script.name
    assert {code for codes in reported.values() for code in codes} == {"NNL101", "NNL102", "NNL103", "NNL104"}


def test_select_ignore_and_noqa_apply_to_plugin_codes(environment: Dict[str, Path]) -> None:
    project = environment["project"]
    only = nnlint(environment, "--select", "NNL102", "lightning")
    assert only.returncode == 1
    assert [line.split()[1] for line in only.stdout.splitlines()] == ["NNL102", "NNL102"]
    ignored = nnlint(environment, "--ignore", "NNL", "lightning")
    assert ignored.returncode == 0 and ignored.stdout == ""
    unknown = nnlint(environment, "--select", "NNQ", "lightning")
    assert unknown.returncode == 2 and "unknown rule code" in unknown.stderr

    source = (project / "lightning" / "nnl104_seed_no_deterministic_bad1.py").read_text()
    trainer_line = next(line for line in source.splitlines() if "Trainer(" in line and "=" in line)
    (project / "noqa.py").write_text(source.replace(trainer_line, trainer_line + "  # noqa: NNL104"))
    (project / "noqa_other.py").write_text(source.replace(trainer_line, trainer_line + "  # noqa: NNL101"))
    assert nnlint(environment, "noqa.py").stdout == ""
    assert "NNL104" in nnlint(environment, "noqa_other.py").stdout


def test_example_plugin_rule_options_and_probe_documentation(environment: Dict[str, Path]) -> None:
    project = environment["project"] / "example"
    project.mkdir()
    (project / "export.py").write_text(
        textwrap.dedent(
            """
            import torch
            import torch.nn as nn


            def export(model):
                torch.save(model, "exported.pt")


            export(nn.Linear(4, 2))
            """
        ).lstrip()
    )
    flagged = nnlint(environment, "export.py", cwd=project)
    assert flagged.returncode == 1 and "export.py:6:5: NNX001 " in flagged.stdout, flagged.stdout + flagged.stderr

    (project / "pyproject.toml").write_text('[tool.nnlint.example]\nallow_in_functions = ["export"]\n')
    allowed = nnlint(environment, "export.py", cwd=project)
    assert allowed.returncode == 0 and allowed.stdout == "", allowed.stdout + allowed.stderr

    (project / "pyproject.toml").write_text('[tool.nnlint.example]\nallow_in_function = ["export"]\n')
    typo = nnlint(environment, "export.py", cwd=project)
    assert typo.returncode == 2 and "tool.nnlint.example: unknown option 'allow_in_function'" in typo.stderr

    (project / "pyproject.toml").write_text("[tool.nnlint.not-installed]\nx = 1\n")
    missing = nnlint(environment, "export.py", cwd=project)
    assert missing.returncode == 2 and "unknown key tool.nnlint.not-installed" in missing.stderr
    assert "installed plugins: example, lightning, zz-clashing" in missing.stderr

    explained = nnlint(environment, "explain", "NNX002", cwd=project)
    assert explained.returncode == 0 and "tiny-training-batch" in explained.stdout
    listing = nnlint(environment, "rules", cwd=project).stdout
    assert re.search(r"^NNX002\s+tiny-training-batch\s+dynamic", listing, re.M), listing
    assert re.search(r"^NNL103\s+lightning-optimizer-misses-parameters\s+static", listing, re.M), listing


def test_plugin_test_suites_pass_against_the_installed_packages(environment: Dict[str, Path]) -> None:
    if importlib.util.find_spec("pytest") is None:  # pragma: no cover
        pytest.skip("pytest not importable")
    pytest_dir = Path(pytest.__file__).resolve().parent.parent
    suites = [environment["root"] / "src" / name / "tests" for name in ("nnlint-lightning", "nnlint-example")]
    run_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONHOME",)}
    # pytest comes from this environment; nnlint and the plugins from the venv (first on the path)
    run_env["PYTHONPATH"] = os.pathsep.join([str(environment["site"]), str(pytest_dir)])
    result = subprocess.run(
        [str(environment["python"]), "-m", "pytest", "-q", "-p", "no:cacheprovider", *map(str, suites)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=environment["root"],
        env=run_env,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert re.search(r"\d+ passed", result.stdout)


def test_the_guide_sample_gives_the_guide_output(environment: Dict[str, Path]) -> None:
    sample, command, expected = sample_and_output()
    folder = environment["project"] / "guide"
    folder.mkdir()
    (folder / "train.py").write_text(sample)
    program, *args = command.split()
    assert program == "nnlint"
    result = nnlint(environment, *args, cwd=folder)
    assert result.returncode == 1 and result.stdout.splitlines() == expected, result.stdout + result.stderr


@pytest.mark.dynamic
def test_example_probe_fires_in_a_dynamic_run(environment: Dict[str, Path]) -> None:
    if importlib.util.find_spec("torch") is None:
        pytest.skip("the dynamic pass needs torch")
    folder = environment["project"] / "dynamic"
    folder.mkdir()
    (folder / "train.py").write_text(
        textwrap.dedent(
            """
            import torch
            import torch.nn as nn
            from torch.utils.data import DataLoader, TensorDataset

            x = torch.randn(64, 4)
            loader = DataLoader(TensorDataset(x, x.sum(dim=1, keepdim=True)), batch_size=1, shuffle=True)
            model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 1))
            optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
            for xb, yb in loader:
                optimizer.zero_grad()
                nn.functional.mse_loss(model(xb), yb).backward()
                optimizer.step()
            """
        ).lstrip()
    )
    # the venv has no torch: the instrumented child runs under this interpreter, the probes in the venv
    result = nnlint(environment, "--dynamic", "--python", sys.executable, "--select", "NNX", "train.py", cwd=folder)
    assert result.stdout.splitlines() == [
        "train.py:12:1: NNX002 the training DataLoader yields batches of 1 sample(s); train with batches of at "
        "least 2 [dynamic]"
    ], result.stdout + result.stderr
