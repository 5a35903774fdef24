"""nnlint: finds why a PyTorch network will not train, before the GPU night is wasted."""

__version__ = "0.1.0"


def load_ipython_extension(shell: object) -> None:
    """``%load_ext nnlint`` in IPython or Jupyter: lint every cell as it runs (see ``nnlint.jupyter``)."""
    from nnlint.jupyter import load

    load(shell)


def unload_ipython_extension(shell: object) -> None:
    from nnlint.jupyter import unload

    unload(shell)
