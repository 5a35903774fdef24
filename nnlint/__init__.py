"""nnlint: finds why a PyTorch network will not train, before the GPU night is wasted."""
__version__ = "0.1.0"
