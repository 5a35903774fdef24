"""Built-in runtime probes, one per code (collected by ``nnlint.builtin``)."""
