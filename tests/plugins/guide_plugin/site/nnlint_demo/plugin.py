from typing import List

from nnlint.api import hookimpl

from nnlint_demo.probes import LargeLearningRate
from nnlint_demo.rules import ZeroGradKeepsZeros


@hookimpl
def nnlint_rules() -> List[type]:
    return [ZeroGradKeepsZeros]


@hookimpl
def nnlint_probes() -> List[type]:
    return [LargeLearningRate]
