"""Hook specifications: the whole plugin surface of nnlint.

Built-in rules register through these same hooks (see ``nnlint.builtin``); a third-party package
declares an entry point in the ``nnlint`` group whose object implements some of them with
``@nnlint.api.hookimpl`` (the public API for plugin authors: ``nnlint/api.py``, guide: ``docs/plugins.md``).
"""

from __future__ import annotations

from typing import List

import pluggy

PROJECT = "nnlint"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def nnlint_rules() -> List[type]:
    """Return the static rule classes (subclasses of :class:`nnlint.api.Rule`) this plugin provides."""


@hookspec
def nnlint_probes() -> List[type]:
    """Return the runtime probe classes (subclasses of :class:`nnlint.api.Probe`) this plugin provides."""
