"""Static analysis: one libcst parse per file, one semantic model that every rule queries."""
