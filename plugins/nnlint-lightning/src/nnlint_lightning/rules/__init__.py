"""The plugin's rules, one module each (``nnlXXX_<name>.py``)."""

from __future__ import annotations

from nnlint_lightning.rules.nnl101_direct_backward import DirectBackward
from nnlint_lightning.rules.nnl102_step_keeps_graph import StepKeepsGraph
from nnlint_lightning.rules.nnl103_optimizer_misses_parameters import OptimizerMissesParameters
from nnlint_lightning.rules.nnl104_seed_without_deterministic import SeedWithoutDeterministic

ALL_RULES = (DirectBackward, StepKeepsGraph, OptimizerMissesParameters, SeedWithoutDeterministic)

__all__ = ["ALL_RULES", "DirectBackward", "OptimizerMissesParameters", "SeedWithoutDeterministic", "StepKeepsGraph"]
