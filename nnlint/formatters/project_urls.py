"""The URLs a distribution publishes (``[project.urls]`` in its pyproject, ``Project-URL`` in its metadata),
for the links SARIF viewers show: the tool's home page and each rule's documentation.

A ``Rules`` URL may hold ``{code}`` (``https://example.org/rules/{code}``): each rule's page. Nothing is
invented: without published URLs the SARIF log simply has no links (both fields are optional in SARIF).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Dict, Optional, Type
from urllib.parse import urlparse

from nnlint.documented import Documented

_HOME_LABELS = ("homepage", "home", "source", "repository", "documentation")


@lru_cache(maxsize=None)
def project_urls(distribution: str = "nnlint") -> Dict[str, str]:
    """Label (lower case) -> URL, from an installed distribution's metadata; empty when it has none."""
    from importlib import metadata  # here: a SARIF report needs it, every other run's start-up would pay for it

    try:
        entries = metadata.metadata(distribution).get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return {}
    urls: Dict[str, str] = {}
    for entry in entries:
        label, _, url = entry.partition(",")
        if is_absolute(url.strip()):
            urls.setdefault(label.strip().lower(), url.strip())
    return urls


def is_absolute(url: Optional[str]) -> bool:
    if not url:
        return False
    parsed = urlparse(url)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def information_uri(urls: Dict[str, str]) -> Optional[str]:
    return next((urls[label] for label in _HOME_LABELS if label in urls), None)


def help_uri(cls: Optional[Type[Documented]], code: str, urls: Dict[str, str]) -> Optional[str]:
    """A rule's own ``help_url``, else (for nnlint's own checks) the ``Rules`` URL with the code filled in;
    a plugin's rule without its own URL gets none rather than a page of nnlint's that does not describe it."""
    own = getattr(cls, "help_url", None)
    if is_absolute(own):
        return own
    if cls is not None and not cls.__module__.startswith("nnlint."):
        return None
    template = urls.get("rules")
    if template is None:
        return None
    url = template.replace("{code}", code.lower()) if "{code}" in template else template
    return url if is_absolute(url) else None
