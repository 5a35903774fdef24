"""One version everywhere: the latest CHANGELOG.md release, pyproject.toml, ``nnlint.__version__`` and the
README's pre-commit ``rev:`` (the tag ``v<version>`` that pre-commit users pin)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import List

import nnlint

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
_RELEASE = re.compile(r"^## \[(?P<version>[^\]]+)\](?: - (?P<date>\S+))?\s*$", re.MULTILINE)


def changelog_releases() -> List[str]:
    """The versions CHANGELOG.md records, newest first (``Unreleased`` left out)."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    return [m["version"] for m in _RELEASE.finditer(text) if m["version"].lower() != "unreleased"]


def test_changelog_releases_are_dated_semantic_versions_newest_first() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = [m for m in _RELEASE.finditer(text) if m["version"].lower() != "unreleased"]
    assert releases, "CHANGELOG.md has no release heading (## [X.Y.Z] - YYYY-MM-DD)"
    for match in releases:
        assert re.fullmatch(r"\d+\.\d+\.\d+", match["version"]), match[0]
        assert match["date"] and re.fullmatch(r"\d{4}-\d{2}-\d{2}", match["date"]), f"undated release: {match[0]}"
    versions = [tuple(int(part) for part in m["version"].split(".")) for m in releases]
    assert versions == sorted(versions, reverse=True), "releases must be listed newest first"


def test_package_version_is_the_latest_changelog_release() -> None:
    latest = changelog_releases()[0]
    assert nnlint.__version__ == latest
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["version"] == latest


def test_readme_pre_commit_rev_is_the_latest_release_tag() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    revs = re.findall(r"^\s*rev:\s*(\S+)", readme, re.MULTILINE)
    assert revs, "README.md shows no pre-commit rev:"
    assert set(revs) == {f"v{changelog_releases()[0]}"}
