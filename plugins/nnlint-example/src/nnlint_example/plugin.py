from typing import List

from nnlint.api import hookimpl

from nnlint_example.probes import TinyTrainingBatch
from nnlint_example.rules import WholeModelSave


@hookimpl
def nnlint_rules() -> List[type]:
    return [WholeModelSave]


@hookimpl
def nnlint_probes() -> List[type]:
    return [TinyTrainingBatch]
