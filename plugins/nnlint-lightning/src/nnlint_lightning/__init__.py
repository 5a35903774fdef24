"""nnlint-lightning: nnlint rules for PyTorch Lightning code (codes NNL1xx)."""

__version__ = "0.1.0"
