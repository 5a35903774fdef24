"""nnlint-example: a template nnlint plugin (codes NNX0xx)."""

__version__ = "0.1.0"
