"""What a serial run (:mod:`nnlint.engine`) and the worker processes of ``--jobs`` (:mod:`nnlint.parallel`)
share when they lint many files in turn: garbage collection in batches, and the finding for an error of
the engine itself on one file. Kept here so that neither of the two imports the other at run time.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

from nnlint.finding import Finding, Severity

RULE_ERROR = ("NN002", "rule-error")


@contextmanager
def collections_batched() -> Iterator[None]:
    """Automatic garbage collection off for the duration: it would re-traverse every tree the project index
    keeps, again and again (20-30% of a run on real code); collected when the project index is dropped."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            # everything allocated during the run is still in the youngest generation: the first automatic
            # collection after enable() would traverse all of it (a tenth of a second per 100k lines kept).
            # freeze() + unfreeze() moves it to the oldest generation without a traversal; cycles among it
            # are still collected by the next full collection. Not where the process froze objects of its own
            # (unfreeze() would thaw them too).
            if not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def internal_error(path: str, error: BaseException) -> Finding:
    """An error outside any rule (in the engine itself) on one file: reported, and the run goes on."""
    from nnlint.plugin_boundary import print_traceback

    print_traceback(error, f"internal error while linting {path}")
    message = f"internal error while linting this file: {type(error).__name__}: {error}"
    return Finding(path, 1, 1, RULE_ERROR[0], RULE_ERROR[1], message, severity=Severity.ERROR)
